import { ExpressionError } from '../errors/ExpressionError.js';
import { celEnvironment } from './celEnvironment.js';
import { toJsonValue } from './toJsonValue.js';

/** The variables an expression can read. */
export interface ExpressionScope {
  input: unknown;
  steps: Record<string, unknown>;
  context: Record<string, unknown>;
  env: Record<string, unknown>;
  [name: string]: unknown;
}

/** A parsed CEL expression, evaluated many times. */
export interface Expression {
  readonly source: string;
  readonly path: string;
  /** Step ids read through `steps.<id>` or `steps['<id>']`. */
  readonly stepRefs: readonly string[];
  /** Top-level variables it reads (`input`, `steps`, `context`, `env`, ...). */
  readonly variables: readonly string[];
  evaluate(scope: ExpressionScope): unknown;
}

interface AstNode {
  op: string;
  args: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

function collectRefs(node: AstNode, stepRefs: Set<string>, variables: Set<string>): void {
  if (node.op === 'id' && typeof node.args === 'string') variables.add(node.args);
  if ((node.op === '.' || node.op === '.?') && Array.isArray(node.args)) {
    const [target, field] = node.args as [unknown, unknown];
    if (isNode(target) && target.op === 'id' && target.args === 'steps' && typeof field === 'string') stepRefs.add(field);
  }
  if ((node.op === '[]' || node.op === '[?]') && Array.isArray(node.args)) {
    const [target, key] = node.args as [unknown, unknown];
    if (isNode(target) && target.op === 'id' && target.args === 'steps' && isNode(key) && typeof key.args === 'string') {
      stepRefs.add(key.args);
    }
  }
  const visit = (value: unknown): void => {
    if (isNode(value)) collectRefs(value, stepRefs, variables);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  visit(node.args);
}

/**
 * Parses a CEL expression once; throws `ExpressionError` (`EXPRESSION_INVALID`) naming `path`.
 *
 * @example
 * const e = parseExpression("steps.analyze.output.language != 'unknown'", 'steps[1].when');
 * e.evaluate({ input: {}, steps: { analyze: { output: { language: 'go' } } }, context: {}, env: {} }); // true
 */
export function parseExpression(source: string, path: string): Expression {
  let evaluator: ReturnType<typeof celEnvironment.parse>;
  try {
    evaluator = celEnvironment.parse(source);
  } catch (cause) {
    throw new ExpressionError('EXPRESSION_INVALID', path, source, firstLine(cause), { cause });
  }
  const stepRefs = new Set<string>();
  const variables = new Set<string>();
  collectRefs(evaluator.ast, stepRefs, variables);
  return {
    source,
    path,
    stepRefs: [...stepRefs],
    variables: [...variables],
    evaluate(scope) {
      try {
        return toJsonValue(evaluator(scope));
      } catch (cause) {
        throw new ExpressionError('EXPRESSION_FAILED', path, source, firstLine(cause), { cause });
      }
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
