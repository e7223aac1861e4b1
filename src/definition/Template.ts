import { ExpressionError } from '../errors/ExpressionError.js';
import { parseExpression, type Expression, type ExpressionScope } from './Expression.js';

const WHOLE = /^\s*\$\{\{([\s\S]+?)\}\}\s*$/;
const EMBEDDED = /\$\{\{([\s\S]+?)\}\}/g;

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
 * Compiles a template. Parse errors are collected (for validation) rather than thrown;
 * `evaluate` throws the first one.
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
      const items = node.map((item, index) => build(item, `${at}[${index}]`));
      return items.some((item) => item !== constant) ? (scope) => items.map((item, i) => resolveOr(item, node[i], scope)) : constant;
    }
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node).map(([key, item]) => [key, build(item, `${at}.${key}`), item] as const);
      if (entries.every(([, resolver]) => resolver === constant)) return constant;
      return (scope) => Object.fromEntries(entries.map(([key, resolver, item]) => [key, resolveOr(resolver, item, scope)]));
    }
    return constant;
  };

  const buildString = (text: string, at: string): Resolver => {
    const whole = WHOLE.exec(text);
    if (whole?.[1] !== undefined && !whole[1].includes('}}')) {
      const expression = parse(whole[1], at);
      return expression ? (scope) => expression.evaluate(scope) : constant;
    }
    const parts: (string | Expression)[] = [];
    let last = 0;
    for (const match of text.matchAll(EMBEDDED)) {
      parts.push(text.slice(last, match.index));
      const expression = parse(match[1] ?? '', at);
      if (expression) parts.push(expression);
      last = match.index + match[0].length;
    }
    if (last === 0) return constant;
    parts.push(text.slice(last));
    return (scope) => parts.map((part) => (typeof part === 'string' ? part : stringify(part.evaluate(scope)))).join('');
  };

  const root = build(value, path);
  return {
    expressions,
    errors,
    evaluate(scope) {
      if (errors[0]) throw errors[0];
      return resolveOr(root, value, scope);
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
