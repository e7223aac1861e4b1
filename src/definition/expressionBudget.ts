import { ExpressionError } from '../errors/ExpressionError.js';
import { DefinitionLimits } from './DefinitionLimits.js';

/** How often (in iterations) the clock is read while comprehensions iterate. */
const CLOCK_EVERY = 64;

interface Budget {
  iterations: number;
  startedAt: number;
}

/** The evaluation under way; CEL evaluation is synchronous, so one is enough (nesting restores). */
let current: Budget | undefined;

/** Thrown from inside the CEL loop; `parseExpression` turns it into an `ExpressionError`. */
export class BudgetExceeded extends Error {}

interface Comprehension {
  condition?: (accu: unknown) => boolean;
}

interface Node {
  op?: unknown;
  args?: unknown;
  meta?: { alternate?: unknown };
}

/**
 * Makes every comprehension of a parsed CEL expression (`map`, `filter`, `all`, `exists`,
 * `exists_one`) count its iterations against the budget of the evaluation in progress. The
 * library asks a comprehension's `condition` before each iteration; the wrapper counts there and
 * then asks the original, if any. The parser expands a macro into a comprehension node kept as
 * the call node's `meta.alternate`.
 */
export function limitComprehensions(root: unknown): void {
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    const node = value as Node;
    if (node.op === 'comprehension' && typeof node.args === 'object' && node.args !== null) {
      const args = node.args as Comprehension & Record<string, unknown>;
      const original = args.condition;
      args.condition = (accu) => {
        tick();
        return original === undefined ? true : original(accu);
      };
      visit(args.iterable);
      visit(args.init);
      visit(args.step);
      return;
    }
    if (node.meta?.alternate !== undefined) visit(node.meta.alternate);
    if ('args' in node) visit(node.args);
  };
  visit(root);
}

function tick(): void {
  const budget = current;
  if (budget === undefined) return;
  budget.iterations += 1;
  if (budget.iterations > DefinitionLimits.maxExpressionIterations) {
    throw new BudgetExceeded(`the expression iterated more than ${DefinitionLimits.maxExpressionIterations} times`);
  }
  if (budget.iterations % CLOCK_EVERY === 0 && performance.now() - budget.startedAt > DefinitionLimits.maxExpressionMs) {
    throw new BudgetExceeded(`the expression ran longer than ${DefinitionLimits.maxExpressionMs} ms`);
  }
}

/**
 * Runs one evaluation within the budget of {@link DefinitionLimits}: at most
 * `maxExpressionIterations` comprehension iterations and `maxExpressionMs`. Called inside
 * another (a template evaluating its expressions), it shares that one's budget.
 *
 * @throws ExpressionError `EXPRESSION_BUDGET_EXCEEDED` (via `parseExpression`) past either.
 */
export function runWithinBudget<T>(run: () => T, path: string, source: string): T {
  const outer = current;
  // Nested in a template's evaluation, the expression spends the template's budget.
  current = outer ?? { iterations: 0, startedAt: performance.now() };
  try {
    return run();
  } catch (error) {
    if (error instanceof BudgetExceeded) throw new ExpressionError('EXPRESSION_BUDGET_EXCEEDED', path, source, error.message);
    throw error;
  } finally {
    current = outer;
  }
}
