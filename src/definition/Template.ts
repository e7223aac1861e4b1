import { ExpressionError } from '../errors/ExpressionError.js';
import { parseExpression, type Expression, type ExpressionScope } from './Expression.js';
import { runWithinBudget } from './expressionBudget.js';

const OPEN = '${{';
const CLOSE = '}}';

/** A JSON value with `${{ expr }}` wiring, parsed once. */
export interface Template {
  /** Every expression inside, with its path. */
  readonly expressions: readonly Expression[];
  /** Expressions that failed to parse. */
  readonly errors: readonly ExpressionError[];
  /** Resolves the wiring; a string that is wholly `${{ expr }}` yields the value itself. */
  evaluate(scope: ExpressionScope): unknown;
}

type Resolver = (scope: ExpressionScope) => unknown;

/**
 * The `${{ ... }}` spans of a string, in order: each opens at `${{` and closes at the first `}}`
 * after it. One forward scan with `indexOf`, so the cost is linear in the string even when it
 * opens many spans and closes none.
 */
function findSpans(text: string): { start: number; end: number; source: string }[] {
  const spans: { start: number; end: number; source: string }[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf(OPEN, from);
    if (start === -1) break;
    const close = text.indexOf(CLOSE, start + OPEN.length);
    if (close === -1) break;
    spans.push({ start, end: close + CLOSE.length, source: text.slice(start + OPEN.length, close) });
    from = close + CLOSE.length;
  }
  return spans;
}

/**
 * Compiles a template. Parse errors are collected (for validation) rather than thrown;
 * `evaluate` throws the first one. All expressions of one evaluation share one budget.
 *
 * @example
 * compileTemplate({ path: '${{ input.repoPath }}' }, 'steps[0].input').evaluate(scope);
 */
export function compileTemplate(value: unknown, path: string): Template {
  const expressions: Expression[] = [];
  const errors: ExpressionError[] = [];

  const parse = (source: string, at: string): Expression | undefined => {
    try {
      const expression = parseExpression(source.trim(), at);
      expressions.push(expression);
      return expression;
    } catch (error) {
      if (error instanceof ExpressionError) errors.push(error);
      else throw error;
      return undefined;
    }
  };

  const build = (node: unknown, at: string): Resolver => {
    if (typeof node === 'string') return buildString(node, at);
    if (Array.isArray(node)) {
      const items: Resolver[] = [];
      for (let index = 0; index < node.length; index++) items.push(build(node[index], `${at}[${index}]`));
      return items.some((item) => item !== constant) ? (scope) => items.map((item, i) => resolveOr(item, node[i], scope)) : constant;
    }
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node).map(([key, item]) => [key, build(item, `${at}.${key}`), item] as const);
      if (entries.every(([, resolver]) => resolver === constant)) return constant;
      // `fromEntries` defines own properties: a `__proto__` key stays a key.
      return (scope) => Object.fromEntries(entries.map(([key, resolver, item]) => [key, resolveOr(resolver, item, scope)]));
    }
    return constant;
  };

  const buildString = (text: string, at: string): Resolver => {
    const spans = findSpans(text);
    if (spans.length === 0) return constant;
    const only = spans[0];
    if (spans.length === 1 && only !== undefined && text.slice(0, only.start).trim() === '' && text.slice(only.end).trim() === '') {
      const expression = parse(only.source, at);
      return expression ? (scope) => expression.evaluate(scope) : constant;
    }
    const parts: (string | Expression)[] = [];
    let last = 0;
    for (const span of spans) {
      parts.push(text.slice(last, span.start));
      const expression = parse(span.source, at);
      if (expression) parts.push(expression);
      last = span.end;
    }
    parts.push(text.slice(last));
    return (scope) => parts.map((part) => (typeof part === 'string' ? part : stringify(part.evaluate(scope)))).join('');
  };

  const root = build(value, path);
  return {
    expressions,
    errors,
    evaluate(scope) {
      if (errors[0]) throw errors[0];
      if (root === constant) return value;
      return runWithinBudget(() => root(scope), path, '');
    },
  };
}

const constant: Resolver = () => undefined;

function resolveOr(resolver: Resolver, literal: unknown, scope: ExpressionScope): unknown {
  return resolver === constant ? literal : resolver(scope);
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
}
