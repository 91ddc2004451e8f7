// The contract every bench scenario implements: main.ts runs the chosen ones, prints each result
// beside the machine and writes them all as JSON.

export interface BenchScenarioResult {
  /** e.g. 'inventory-full-100000' */
  name: string;
  params: Record<string, string | number>;
  /** e.g. wallSeconds, lowerBoundSeconds, ratio, tiktok429, shopifyThrottled, workerPeakRssMiB, workerCpuSeconds */
  figures: Record<string, number | string>;
  goals?: Record<string, { target: string; met: boolean }>;
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
