import { Environment } from '@marcbachmann/cel-js';
import { DefinitionLimits } from './DefinitionLimits.js';
import { LINEAR_MATCHES, re2Matches } from './linearMatches.js';

type Arithmetic = (a: number, b: number) => number;

const arithmetic: Record<string, Arithmetic> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
};

/**
 * The one CEL environment of orchkit. Variables are dynamic (`input`, `steps`, `context`, `env`).
 * JSON numbers arrive as CEL doubles while literals are ints, so `input.n * 2` would be a type
 * error in strict CEL; mixed int/double arithmetic is registered so that wiring reads naturally.
 * Parsing is bounded by the library's structural limits (nodes, depth), set from
 * {@link DefinitionLimits}.
 */
export const celEnvironment: Environment = (() => {
  const env = new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: DefinitionLimits.maxExpressionNodes, maxDepth: DefinitionLimits.maxExpressionDepth },
  });
  for (const [op, apply] of Object.entries(arithmetic)) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => apply(a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => apply(Number(a), b));
  }
  // `matches` runs on RE2 (linear time); `parseExpression` points every call at these.
  env.registerFunction(`string.${LINEAR_MATCHES}(string): bool`, re2Matches);
  env.registerFunction(`${LINEAR_MATCHES}(string, string): bool`, re2Matches);
  return env;
})();
