import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** What a bulk result's lines are handed to; a promise holds the download until it settles. */
export type BulkLineHandler = (line: string, lineNo: number) => void | Promise<void>;

/**
 * Hands a bulk result file to `onLine` one line at a time as it downloads. An asynchronous
 * handler holds the download (readline pauses the socket when ~1,000 lines are waiting), so a
 * consumer slower than the network (a stock sync pushing at TikTok's rate) keeps only a bounded
 * part of the file in memory, never the whole of it. Resolves how many lines there were.
 */
export async function forEachBulkLine(body: WebReadableStream<Uint8Array>, onLine: BulkLineHandler): Promise<number> {
  const input = Readable.fromWeb(body);
  let lineNo = 0;
  let inHandler = false;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      inHandler = true;
      const pending = onLine(line, ++lineNo);
      if (pending) await pending;
      inHandler = false;
    }
  } catch (err) {
    // The handler's own errors go on as they are; only the download's are the download's.
    if (inHandler) throw err;
    throw new BulkDownloadError((err as Error).message, { cause: err });
  } finally {
    input.destroy();
  }
  return lineNo;
}

/** The bulk result's download broke off (not an error of the line handler). */
export class BulkDownloadError extends Error {
  override readonly name = 'BulkDownloadError';
}
