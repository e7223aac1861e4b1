import { RE2JS } from 're2js';

/** The name `matches` calls are given; registered in the CEL environment. */
export const LINEAR_MATCHES = 'orchkitMatches';

const compiled = new Map<string, RE2JS>();
const MAX_CACHED = 256;

/**
 * CEL's `matches` with RE2 semantics, as the CEL spec defines it, in linear time. The CEL
 * library runs `matches` through JavaScript's backtracking RegExp, where a pattern such as
 * `^(a+)+$` takes exponential time and blocks the process; RE2 has no backtracking.
 *
 * @example
 * re2Matches('v1.2.3', '^v[0-9]+'); // true
 */
export function re2Matches(text: string, pattern: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = RE2JS.compile(pattern);
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(pattern, regex);
  }
  return regex.matcher(text).find();
}

interface Node {
  op?: unknown;
  args?: unknown;
  meta?: { alternate?: unknown };
}

/**
 * Points every `matches` call of a parsed expression (`s.matches(p)` and `matches(s, p)`) at
 * {@link re2Matches}. Done before the first evaluation, which is when the library resolves a
 * call's function by its name.
 */
export function useLinearMatches(root: unknown): void {
  const stack: unknown[] = [root];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      stack.push(...(value as unknown[]));
      continue;
    }
    const node = value as Node;
    if ((node.op === 'rcall' || node.op === 'call') && Array.isArray(node.args) && node.args[0] === 'matches') node.args[0] = LINEAR_MATCHES;
    if (node.meta?.alternate !== undefined) stack.push(node.meta.alternate);
    if (typeof node.args === 'object' && node.args !== null) stack.push(...(Object.values(node.args) as unknown[]));
  }
}
