import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './http.js';
import type { ShopifyFault, ShopifyServerState } from './state.js';

// Injected faults. Most hit the next request before it runs; `lost-response` and `hold` wait
// for a request of their operation and act around its run.

/** A fault that fails a request before it runs. */
export type BeforeRunFault = Exclude<ShopifyFault, { kind: 'lost-response' | 'hold' }>;

/** Takes the next fault if it acts before the request runs (a lost response needs the request to run first). */
export function takeFaultBeforeRun(s: ShopifyServerState): BeforeRunFault | undefined {
  const next = s.faults[0];
  if (next?.kind === 'lost-response' || next?.kind === 'hold') return undefined;
  const fault = s.faults.shift() as BeforeRunFault | undefined;
  if (fault) s.counters.faults += 1;
  return fault;
}

/** Fails the request as the fault says: an error status, no answer, a reset, or broken JSON. */
export function answerFault(
  s: ShopifyServerState,
  fault: BeforeRunFault,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): void {
  if (fault.kind === 'http-error') return send(s, res, fault.status, { errors: 'Internal Server Error' }, requestId);
  if (fault.kind === 'timeout') return void s.hanging.add(res);
  if (fault.kind === 'reset') return void req.socket.destroy();
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
  res.end('{"data": {"products": {"nodes": [');
}

/**
 * Holds the request if the next fault is a `hold` of this phase and operation: `then` runs when
 * `releaseHeld()` lets it go. Returns whether it held.
 */
export function holdIfAsked(
  s: ShopifyServerState,
  res: ServerResponse,
  phase: 'before-run' | 'after-run',
  operation: string | null,
  then: () => void,
): boolean {
  const pending = s.faults[0];
  if (pending?.kind !== 'hold' || pending.phase !== phase || pending.operation !== operation) return false;
  s.faults.shift();
  s.counters.faults += 1;
  s.hanging.add(res);
  s.held.push(() => {
    s.hanging.delete(res);
    then();
  });
  return true;
}

/** Takes the next fault if it is a `lost-response` for this operation (the request ran; its answer is lost). */
export function takeLostResponse(s: ShopifyServerState, operation: string | null): boolean {
  const pending = s.faults[0];
  if (pending?.kind !== 'lost-response' || (pending.operation && pending.operation !== operation)) return false;
  s.faults.shift();
  s.counters.faults += 1;
  return true;
}

export function injectFault(s: ShopifyServerState, fault: ShopifyFault, count = 1): void {
  for (let i = 0; i < count; i++) s.faults.push(fault);
}

export function clearFaults(s: ShopifyServerState): void {
  s.faults.length = 0;
}

/** Lets every held request go on; returns how many there were. */
export function releaseHeld(s: ShopifyServerState): number {
  const waiting = s.held.splice(0);
  // The client may be gone (killed): the request still runs, its answer reaches no one.
  for (const go of waiting) go();
  return waiting.length;
}
