import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { StringDecoder } from 'node:string_decoder';

/** What a bulk result's lines are handed to; a promise holds the reading (not the download) until it settles. */
export type BulkLineHandler = (line: string, lineNo: number) => void | Promise<void>;

const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Hands a bulk result file to `onLine` one line at a time while it downloads. The download goes
 * to a temporary file at the network's speed (Shopify's signed URL is fetched within the request
 * timeout and never held open), and the lines are read back from that file as they arrive, at
 * the handler's pace: a stock sync pushing at TikTok's rate starts at the first lines and keeps
 * only a 64 KiB chunk in memory, whatever the file's size. The file is removed afterwards.
 * Resolves how many lines there were; the handler's errors go on as they are, the download's
 * as a {@link BulkDownloadError}.
 */
export async function forEachBulkLine(
  body: WebReadableStream<Uint8Array>,
  onLine: BulkLineHandler,
  options: { spoolDir?: string } = {},
): Promise<number> {
  const dir = await mkdtemp(join(options.spoolDir ?? tmpdir(), 'shoptok-bulk-'));
  const file = join(dir, 'result.jsonl');
  const input = Readable.fromWeb(body);
  let written = 0;
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const out = await open(file, 'w');
  const writing = (async () => {
    try {
      for await (const chunk of input) {
        await out.write(chunk as Buffer);
        written += (chunk as Buffer).length;
        notify();
      }
    } catch (err) {
      failure = err;
    } finally {
      finished = true;
      await out.close();
      notify();
    }
  })();
  const reader = await open(file, 'r');
  let lineNo = 0;
  try {
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    let position = 0;
    let carry = '';
    for (;;) {
      if (position < written) {
        const { bytesRead } = await reader.read(chunk, 0, Math.min(chunk.length, written - position), position);
        position += bytesRead;
        const lines = (carry + decoder.write(chunk.subarray(0, bytesRead))).split('\n');
        carry = lines.pop() ?? '';
        for (const line of lines) {
          const pending = onLine(line, ++lineNo);
          if (pending) await pending;
        }
        continue;
      }
      if (failure !== undefined) throw new BulkDownloadError((failure as Error).message ?? String(failure), { cause: failure });
      if (finished) break;
      // Nothing new yet: wait for the next chunk (set before any await, so no wake-up is missed).
      await new Promise<void>((resolve) => (wake = resolve));
    }
    carry += decoder.end();
    if (carry.length > 0) {
      const pending = onLine(carry, ++lineNo);
      if (pending) await pending;
    }
  } finally {
    input.destroy(); // a handler that failed stops the download too
    await writing;
    await reader.close();
    await rm(dir, { recursive: true, force: true });
  }
  return lineNo;
}

/** The bulk result's download broke off (not an error of the line handler). */
export class BulkDownloadError extends Error {
  override readonly name = 'BulkDownloadError';
}
