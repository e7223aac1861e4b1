import type { z } from 'zod';
import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { walkDefinitionShape } from './checkDefinitionShape.js';
import { checkGraph } from './checkGraph.js';
import { DefinitionLimits } from './DefinitionLimits.js';
import { checkWiring } from './checkWiring.js';
import { formatPath } from './formatPath.js';
import { readRawSteps } from './RawStep.js';
import { toToolCatalog, type ToolCatalog, type ToolSignature } from './ToolCatalog.js';
import { unknownKeyIssues } from './unknownKeyIssues.js';
import { STEP_KIND_KEYS, stepKindKey, type StepKindKey } from './steps/stepKindKey.js';
import { MapStepSchema } from './steps/MapStepSchema.js';
import { ToolStepSchema } from './steps/ToolStepSchema.js';
import { WaitStepSchema } from './steps/WaitStepSchema.js';
import { WorkflowStepSchema } from './steps/WorkflowStepSchema.js';
import { MapWorkflowStepSchema } from './steps/MapWorkflowStepSchema.js';
import { checkChildWorkflows, type WorkflowSignature } from './checkChildWorkflows.js';
import { checkCompensations } from './checkCompensations.js';
import { runToEnd } from './runToEnd.js';
import { StepSchema, WorkflowDefinitionSchema, WorkflowHeaderSchema, type StepDefinition, type WorkflowDefinition } from './WorkflowDefinitionSchema.js';

/** Options of {@link validateWorkflow}. */
export interface ValidateOptions {
  /** When given, tool names and the wiring into their input schemas are checked too. */
  tools?: ToolCatalog | Iterable<ToolSignature>;
  /** When given, the ids `workflow` steps call (`UNKNOWN_WORKFLOW`) and the wiring into the child's declared input are checked too. */
  workflows?: Iterable<WorkflowSignature>;
}

/** Result of validation, discriminated on `success` like zod's `safeParse`. */
export type ValidationResult =
  | { success: true; definition: WorkflowDefinition; issues: readonly [] }
  | { success: false; definition?: undefined; issues: readonly ValidationIssue[] };

/**
 * Checks a workflow definition and reports every problem at once, each with its path:
 * schema errors, duplicate ids, unknown dependencies, cycles (named `a -> b -> a`),
 * unknown tools with a suggestion, expressions that do not parse, wiring that reads a
 * step that is not an ancestor, and inputs the tool's schema does not have. A value past a
 * {@link DefinitionLimits} bound (nesting, size, cycles, step count) is reported alone, before
 * the other checks run.
 *
 * @example
 * const result = validateWorkflow(definition, { tools });
 * if (!result.success) for (const issue of result.issues) logger.warn({ path: issue.path, code: issue.code }, issue.message);
 */
export function validateWorkflow(value: unknown, options: ValidateOptions = {}): ValidationResult {
  return runToEnd(validationWork(value, options));
}

/** Steps checked between two yields of {@link validationWork}. */
const STEPS_PER_TURN = 100;

/**
 * True for a definition whose validation takes more than one turn of {@link validationWork}
 * (more than a turn's worth of steps): callers that may wait validate it with
 * `validateWorkflowAsync` instead of holding the event loop for all of it.
 */
export function validatesInTurns(value: unknown): boolean {
  const steps = (value as { steps?: unknown } | null)?.steps;
  return Array.isArray(steps) && steps.length > STEPS_PER_TURN;
}

/**
 * {@link validateWorkflow} as a generator that yields between chunks of work (every
 * {@link STEPS_PER_TURN} steps, and every few thousand values of the shape walk), so
 * `validateWorkflowAsync` can give the event loop a turn between them. One code path for both.
 */
export function* validationWork(value: unknown, options: ValidateOptions = {}): Generator<undefined, ValidationResult> {
  // Bounds first: every later check walks the value or its steps.
  const shape = yield* walkDefinitionShape(value);
  if (shape) return { success: false, issues: [shape] };
  const rawSteps = (value as { steps?: unknown } | null)?.steps;
  if (Array.isArray(rawSteps) && rawSteps.length > DefinitionLimits.maxSteps) {
    return {
      success: false,
      issues: [{ code: 'TOO_MANY_STEPS', path: 'steps', message: `the workflow has ${rawSteps.length} steps; the limit is ${DefinitionLimits.maxSteps}` }],
    };
  }
  // The definition around its steps in one parse, then each step on its own (same paths).
  yield;
  const header = WorkflowHeaderSchema.safeParse(value);
  const issues: ValidationIssue[] = header.success ? [] : schemaIssues(header.error.issues, value);
  const steps = readRawSteps(value);
  const registry = options.tools === undefined ? undefined : toToolCatalog(options.tools);
  yield;
  issues.push(...checkGraph(steps));
  yield;
  const wiring = checkWiring(steps, registry);
  const parsedSteps: StepDefinition[] = [];
  let stepsParsed = true;
  for (const step of steps) {
    if (Array.isArray(rawSteps)) {
      const parsed = StepSchema.safeParse(rawSteps[step.index]);
      if (parsed.success) parsedSteps.push(parsed.data);
      else {
        stepsParsed = false;
        issues.push(...schemaIssues(parsed.error.issues.map((i) => ({ ...i, path: ['steps', step.index, ...i.path] })), value));
      }
    }
    issues.push(...wiring.step(step));
    if ((step.index + 1) % STEPS_PER_TURN === 0) yield;
  }
  issues.push(...wiring.output((value as { output?: unknown } | null)?.output));
  yield;
  if (options.workflows !== undefined) issues.push(...checkChildWorkflows(value, options.workflows));
  issues.push(...checkCompensations(value, registry, options.workflows));
  if (header.success && stepsParsed && issues.length === 0) {
    return { success: true, definition: { ...header.data, steps: parsedSteps }, issues: [] };
  }
  return { success: false, issues: dedupe(issues) };
}

/**
 * Schema issues with their paths. A step that fits no kind's branch is parsed again against the
 * branch its kind key picks, so its issues point inside that branch (`steps[2].map.items`), not
 * at the union.
 */
function schemaIssues(found: readonly z.core.$ZodIssue[], value: unknown): ValidationIssue[] {
  const steps = (value as { steps?: unknown } | null)?.steps;
  return found.flatMap((issue): ValidationIssue[] => {
    const [first, index] = issue.path;
    if (issue.code === 'invalid_union' && first === 'steps' && typeof index === 'number' && issue.path.length === 2 && Array.isArray(steps)) {
      const step: unknown = steps[index];
      const key = stepKindKey(step);
      if (key === undefined) {
        return [{ code: 'SCHEMA', path: formatPath(issue.path), message: `a step needs one kind key: ${STEP_KIND_KEYS.join(', ')}` }];
      }
      const branch = branchOf(key, step).safeParse(step);
      return branch.success ? [] : schemaIssues(branch.error.issues.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), value);
    }
    if (issue.code === 'unrecognized_keys') {
      // Each key at its own path, with the key meant; inside a step, the keys of its kind's branch.
      const key = first === 'steps' && typeof index === 'number' && Array.isArray(steps) ? stepKindKey(steps[index]) : undefined;
      return key === undefined ? unknownKeyIssues(issue.keys, issue.path, WorkflowDefinitionSchema) : unknownKeyIssues(issue.keys, issue.path, branchOf(key, (steps as unknown[])[index as number]), ['steps', index as number]);
    }
    return [{ code: 'SCHEMA', path: formatPath(issue.path), message: issue.message }];
  });
}

const STEP_SCHEMAS: Record<StepKindKey, z.ZodType> = { tool: ToolStepSchema, map: MapStepSchema, wait: WaitStepSchema, workflow: WorkflowStepSchema };

/** A kind's branch; a `map` over a workflow (`workflow:` instead of `tool:`) has a branch of its own. */
function branchOf(key: StepKindKey, step: unknown): z.ZodType {
  return key === 'map' && typeof step === 'object' && step !== null && 'workflow' in step && !('tool' in step) ? MapWorkflowStepSchema : STEP_SCHEMAS[key];
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.code}|${issue.path}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
