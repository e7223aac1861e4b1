import { parseExpression, type Expression, type ExpressionScope } from '../../definition/Expression.js';
import type { ErrorInfo } from '../../errors/ErrorInfo.js';

/** A failure as routing sees it: the tool that failed and the call that failed. */
export interface RoutingFailure {
  tool: string;
  error: ErrorInfo;
  attempt: number;
  /** The input of the failed call. */
  input: unknown;
  /** The session's shared context, `{ contextType: data }`. */
  context: Record<string, unknown>;
}

/** Variables a rule's `when` and `input` may read. */
export const ROUTING_VARIABLES: readonly string[] = ['error', 'attempt', 'input', 'context', 'tool'];

const cache = new Map<string, Expression | Error>();
const CACHE_LIMIT = 1_000;

/**
 * A rule's CEL expression, parsed once per source text (`path` names it in errors of the first parse); a source that does not parse gives its
 * `ExpressionError` back instead of throwing, so matching treats it as "no match".
 *
 * @example
 * const when = ruleExpression("error.code == 'BUILD_FAILED'", 'routingRules[0].when');
 * if (!(when instanceof Error)) when.evaluate(routingScope(failure));
 */
export function ruleExpression(source: string, path = 'routingRule'): Expression | Error {
  const cached = cache.get(source);
  if (cached) return cached;
  let parsed: Expression | Error;
  try {
    parsed = parseExpression(source, path);
  } catch (error) {
    parsed = error instanceof Error ? error : new Error(String(error));
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, parsed);
  return parsed;
}

/**
 * The scope of a rule's expressions. `steps` and `env` are empty: a rule sees one failure, not
 * the workflow (they are present because the shared expression scope requires them).
 *
 * @example
 * expression.evaluate(routingScope({ tool: 'build_image', error, attempt: 3, input, context: {} }));
 */
export function routingScope(failure: RoutingFailure): ExpressionScope {
  return {
    error: failure.error,
    attempt: failure.attempt,
    input: failure.input ?? {},
    context: failure.context,
    tool: failure.tool,
    steps: {},
    env: {},
  };
}
