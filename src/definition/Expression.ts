import { ExpressionError } from '../errors/ExpressionError.js';
import { celEnvironment } from './celEnvironment.js';
import { DefinitionLimits } from './DefinitionLimits.js';
import { limitComprehensions, runWithinBudget } from './expressionBudget.js';
import { useLinearMatches } from './linearMatches.js';
import { toCelValue } from './toCelValue.js';
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

interface Refs {
  stepRefs: Set<string>;
  variables: Set<string>;
  /** `steps` read other than as `steps.<id>` / `steps['<id>']` (e.g. `steps[input.name]`). */
  dynamicSteps: boolean;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

function isStepsId(value: unknown): boolean {
  return isNode(value) && value.op === 'id' && value.args === 'steps';
}

function collectRefs(node: AstNode, refs: Refs): void {
  if (node.op === 'id' && typeof node.args === 'string') {
    refs.variables.add(node.args);
    // Reached only when `steps` is not the target of a static access (those return early).
    if (node.args === 'steps') refs.dynamicSteps = true;
  }
  if ((node.op === '.' || node.op === '.?') && Array.isArray(node.args)) {
    const [target, field] = node.args as [unknown, unknown];
    if (isStepsId(target) && typeof field === 'string') {
      refs.stepRefs.add(field);
      refs.variables.add('steps');
      return;
    }
  }
  if ((node.op === '[]' || node.op === '[?]') && Array.isArray(node.args)) {
    const [target, key] = node.args as [unknown, unknown];
    if (isStepsId(target) && isNode(key) && key.op === 'value' && typeof key.args === 'string') {
      refs.stepRefs.add(key.args);
      refs.variables.add('steps');
      return;
    }
  }
  visitRefs(node.args, refs);
}

function visitRefs(value: unknown, refs: Refs): void {
  if (isNode(value)) collectRefs(value, refs);
  else if (Array.isArray(value)) for (const item of value as unknown[]) visitRefs(item, refs);
}

/** A word only a comprehension macro (`all`, `exists`, `exists_one`, `map`, `filter`) is called by. */
const MACRO_WORD = /\b(?:all|exists|exists_one|map|filter)\b/;
const MATCHES_WORD = /\bmatches\b/;

/**
 * Parses a CEL expression once; throws `ExpressionError` (`EXPRESSION_INVALID`) naming `path`,
 * also for an expression past the {@link DefinitionLimits} bounds (length, nodes, depth).
 * Evaluating one that iterates past its budget fails with `EXPRESSION_BUDGET_EXCEEDED`.
 *
 * @example
 * const e = parseExpression("steps.analyze.output.language != 'unknown'", 'steps[1].when');
 * e.evaluate({ input: {}, steps: { analyze: { output: { language: 'go' } } }, context: {}, env: {} }); // true
 */
export function parseExpression(source: string, path: string): Expression {
  if (source.length > DefinitionLimits.maxExpressionChars) {
    throw new ExpressionError(
      'EXPRESSION_INVALID',
      path,
      `${source.slice(0, 40)}…`,
      `the expression has ${source.length} characters; the limit is ${DefinitionLimits.maxExpressionChars}`,
    );
  }
  let evaluator: ReturnType<typeof celEnvironment.parse>;
  try {
    evaluator = celEnvironment.parse(source);
  } catch (cause) {
    throw new ExpressionError('EXPRESSION_INVALID', path, source, firstLine(cause), { cause });
  }
  const refs: Refs = { stepRefs: new Set(), variables: new Set(), dynamicSteps: false };
  collectRefs(evaluator.ast, refs);
  // Each walks the whole tree; a call is always written with its name, so the name must be there.
  if (MACRO_WORD.test(source)) limitComprehensions(evaluator.ast);
  if (MATCHES_WORD.test(source)) useLinearMatches(evaluator.ast);
  const stepRefs = [...refs.stepRefs];
  const variables = [...refs.variables];
  return {
    source,
    path,
    stepRefs,
    variables,
    evaluate(scope) {
      const values: Record<string, unknown> = {};
      for (const name of variables) {
        values[name] = name === 'steps' ? stepsView(scope.steps, refs.dynamicSteps ? undefined : stepRefs) : toCelValue(scope[name]);
      }
      try {
        return toJsonValue(runWithinBudget((): unknown => evaluator(values), path, source));
      } catch (cause) {
        if (cause instanceof ExpressionError) throw cause;
        throw new ExpressionError('EXPRESSION_FAILED', path, source, firstLine(cause), { cause });
      }
    },
  };
}

/**
 * What `steps` holds for CEL: each step's `status` and `output` (the documented scope), only for
 * the steps the expression names when it names them statically — so an evaluation costs what
 * it reads, not the size of the workflow.
 */
function stepsView(steps: Record<string, unknown>, only: readonly string[] | undefined): Map<string, unknown> {
  const view = new Map<string, unknown>();
  for (const id of only ?? Object.keys(steps)) {
    if (!Object.hasOwn(steps, id)) continue;
    const step = steps[id];
    if (typeof step !== 'object' || step === null) continue;
    const { status, output } = step as { status?: unknown; output?: unknown };
    const entry: Record<string, unknown> = {};
    if (status !== undefined) entry.status = status;
    if (output !== undefined) entry.output = toCelValue(output);
    view.set(id, entry);
  }
  return view;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
