/** USD per million tokens, input and output. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

// OpenAI list prices as we know them; not in API-FACTS, so unconfirmed: pass `prices` to
// override. An unknown model is priced at gpt-4o-mini's rate and flagged in the summary.
export const DEFAULT_MODEL_PRICES: Record<string, ModelPrice> = {
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
};

export interface RunBudgetOptions {
  /** Most AI calls in this run (retries count). */
  maxCalls?: number;
  /** Most tokens (prompt + completion) in this run. */
  maxTokens?: number;
  model: string;
  prices?: Record<string, ModelPrice>;
}

/** What a run spent, for the log line and the eval report. */
export interface RunUsage {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  estimatedCostUsd: number;
  /** False when the model has no known price and the estimate used gpt-4o-mini's. */
  priceKnown: boolean;
  cacheHits: number;
  fallbacks: number;
  budgetExhausted: boolean;
}

/**
 * Counts AI calls and tokens of one run (a sync pass, a preview, an eval) and says when the
 * next call would go over budget; the mapper then answers with the fallback instead.
 */
export class RunBudget {
  private calls = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private cacheHits = 0;
  private fallbacks = 0;
  private exhausted = false;
  private readonly price: ModelPrice;
  private readonly priceKnown: boolean;

  constructor(private readonly options: RunBudgetOptions) {
    const prices = { ...DEFAULT_MODEL_PRICES, ...options.prices };
    const known = prices[options.model];
    this.priceKnown = known !== undefined;
    this.price = known ?? (DEFAULT_MODEL_PRICES['gpt-4o-mini'] as ModelPrice);
  }

  /** True when a call estimated at `promptTokens` (plus its answer) still fits. */
  allows(estimatedTokens: number): boolean {
    const { maxCalls, maxTokens } = this.options;
    const fits =
      (maxCalls === undefined || this.calls < maxCalls) &&
      (maxTokens === undefined || this.promptTokens + this.completionTokens + estimatedTokens <= maxTokens);
    if (!fits) this.exhausted = true;
    return fits;
  }

  /** Records one AI call (made, whatever its outcome). */
  recordCall(usage: { promptTokens: number; completionTokens: number }): void {
    this.calls += 1;
    this.promptTokens += usage.promptTokens;
    this.completionTokens += usage.completionTokens;
  }

  recordCacheHit(): void {
    this.cacheHits += 1;
  }

  recordFallback(): void {
    this.fallbacks += 1;
  }

  /** Totals so far, with the cost estimate. */
  usage(): RunUsage {
    const cost =
      (this.promptTokens * this.price.inputPerMillion + this.completionTokens * this.price.outputPerMillion) / 1_000_000;
    return {
      calls: this.calls,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      estimatedCostUsd: Math.round(cost * 1_000_000) / 1_000_000,
      priceKnown: this.priceKnown,
      cacheHits: this.cacheHits,
      fallbacks: this.fallbacks,
      budgetExhausted: this.exhausted,
    };
  }
}

/** A rough token count (about 4 chars a token for English) for budgeting before a call. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
