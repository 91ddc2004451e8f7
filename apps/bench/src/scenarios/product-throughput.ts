import type { BenchContext, BenchScenarioResult } from '../scenario.js';

/** Scenario 4: products per minute with the offline and the AI mapper (not built yet). */
export async function productThroughputScenario(ctx: BenchContext): Promise<BenchScenarioResult[]> {
  ctx.log('product throughput: not built yet');
  return [];
}
