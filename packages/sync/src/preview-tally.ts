import type { PreviewKind } from '@shoptok/state';

/** What one preview job would have written, by kind, counted once per item. */
export class PreviewTally {
  readonly items = new Map<PreviewKind, Set<string>>();

  add(kind: PreviewKind, ...keys: string[]): void {
    let set = this.items.get(kind);
    if (!set) this.items.set(kind, (set = new Set()));
    for (const key of keys) set.add(key);
  }
}
