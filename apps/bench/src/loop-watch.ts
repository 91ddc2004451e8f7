/**
 * How late a thread's event loop ran: the TikTok stand-in counts a call against its 1 s window
 * when its handler runs, so a stall of the loop that owns its server bunches calls that arrived
 * evenly. Each thread (V8 isolate) has its own loop, so each watches its own.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelayReading {
  p99Ms: number;
  maxMs: number;
  /** Stalls over 100 ms since the start (a count, not reset by a reading). */
  over100Ms: number;
}

export interface LoopWatch {
  /** The delay since the previous reading (the first one's includes start-up, e.g. seeding). */
  reading(): LoopDelayReading;
  /** The latest stalls over 50 ms: when each ended and how long it was (performance.now() ms). */
  readonly recentStalls: readonly { endedAt: number; ms: number }[];
}

export function watchLoop(): LoopWatch {
  // Stalls counted from a 20 ms timer (the histogram has no counts by bucket).
  let stallCount = 0;
  let lastTick = performance.now();
  const recentStalls: { endedAt: number; ms: number }[] = [];
  setInterval(() => {
    const now = performance.now();
    if (now - lastTick > 120) stallCount += 1;
    if (now - lastTick > 70) {
      recentStalls.push({ endedAt: now, ms: now - lastTick - 20 });
      if (recentStalls.length > 100) recentStalls.shift();
    }
    lastTick = now;
  }, 20).unref();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  return {
    recentStalls,
    reading() {
      const r = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6, over100Ms: stallCount };
      loopDelay.reset(); // the next reading's max is since this one
      return r;
    },
  };
}
