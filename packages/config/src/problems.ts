/** One thing wrong with the configuration, said so that an operator can fix it without a stack trace. */
export interface ConfigProblem {
  /** The variable or stores-file path at fault, e.g. `SHOPIFY_STORE` or `stores[1].shopify.tokenEnv`. */
  setting: string;
  /** What is wrong, in plain words. */
  problem: string;
  /** A value that would work. */
  example?: string;
}

/** Thrown by the loaders with every problem found, never only the first. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatConfigProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Renders problems as the list an app prints before exiting. */
export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => {
    const example = p.example ? ` Example: ${p.example}` : '';
    return `  - ${p.setting}: ${p.problem}.${example}`;
  });
  return [`shoptok cannot start: ${count} in the configuration`, ...lines].join('\n');
}
