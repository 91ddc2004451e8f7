// The contract every bench scenario implements: main.ts runs the chosen ones, prints each result
// beside the machine and writes them all as JSON.

export interface BenchScenarioResult {
  /** e.g. 'inventory-full-100000' */
  name: string;
  params: Record<string, string | number>;
  /** e.g. wallSeconds, lowerBoundSeconds, ratio, tiktok429, shopifyThrottled, workerPeakRssMiB, workerCpuSeconds */
  figures: Record<string, number | string>;
  goals?: Record<string, { target: string; met: boolean }>;
  // The figures every scenario reports the same way (issue 20), beside its own `figures`:
  /** e.g. 'inventory-full' (the name without the size) */
  scenario?: string;
  /** SKUs, products or stores: what the scenario scales with */
  size?: number;
  wallS?: number;
  /** seconds the rate limits allow at best for the calls made; null when not computed */
  lowerBoundS?: number | null;
  /** wallS / lowerBoundS */
  ratio?: number | null;
  /** the measured app process's peak RSS (VmHWM) */
  peakRssMiB?: number | null;
  /** answered calls per API (`TikTok: <METHOD path>`, `Shopify: <operation>`) */
  calls?: Record<string, number>;
  /** 429s the TikTok stand-in answered (and THROTTLED from Shopify) */
  answered429?: number;
  /** SKUs or listings not right afterwards */
  wrongAfter?: number;
  /** 1-minute load average at the scenario's start and end (other work slows CPU-bound parts) */
  load?: { atStart: number; atEnd: number };
  /** what was simplified, how a figure is defined */
  notes: string[];
}

export interface BenchContext {
  redisUrl: string;
  /** small sizes for a smoke run */
  quick: boolean;
  /** Catalogue sizes of the inventory scenarios instead of the defaults (--skus). */
  skus?: number[];
  log: (line: string) => void;
}

export type BenchScenario = (ctx: BenchContext) => Promise<BenchScenarioResult[]>;
