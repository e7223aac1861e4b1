import type { AnyTool } from '../../actors/defineTool.js';
import type { ToolRegistry } from '../../actors/ToolRegistry.js';
import { parseExpression, type Expression } from '../../definition/Expression.js';
import type { RetryPolicy } from '../../definition/RetryPolicySchema.js';
import { compileTemplate, type Template } from '../../definition/Template.js';
import type { StepDefinition, WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import { kindOf } from './kinds/stepKinds.js';
import type { FanOut, StepKind, WaitPlan } from './kinds/StepKind.js';
import { stepRetry, stepTool } from '../../definition/steps/stepTool.js';

/** A step with its kind and tool resolved and its expressions parsed once. */
export interface StepPlan {
  index: number;
  id: string;
  step: StepDefinition;
  kind: StepKind;
  /** The tool it calls; `undefined` for a step that calls none (`wait`). */
  tool: AnyTool | undefined;
  /** The tool's name, or the kind key of a step without one: what its events carry as `tool`. */
  toolName: string;
  input: Template;
  when: Expression | undefined;
  dependsOn: readonly string[];
  /** Steps that depend on this one: the only ones whose release can change when it settles. */
  dependents: string[];
  retry: RetryPolicy | undefined;
  /** Effective time limit of one attempt (of one item's, for map): the step's, else the tool's default. */
  timeoutMs: number | undefined;
  /** Failures of this step count against the workflow's error policy. */
  fatal: boolean;
  /** Expressions read the session's shared context (so it is fetched only when needed). */
  readsContext: boolean;
  /** One call per item (`map`); absent: one call. */
  fanOut: FanOut | undefined;
  /** The step parks instead of calling (`wait`); absent: it calls. */
  wait: WaitPlan | undefined;
}

/** Resolves kinds and tools and parses expressions of a validated definition. */
export function planSteps(definition: WorkflowDefinition, registry: ToolRegistry): Map<string, StepPlan> {
  const plans = new Map<string, StepPlan>();
  definition.steps.forEach((step, index) => {
    const kind = kindOf(step);
    const own = kind.plan(step, index, definition);
    const input = compileTemplate('input' in step ? step.input : {}, `steps[${index}].input`);
    if (input.errors[0]) throw input.errors[0];
    const when = step.when === undefined ? undefined : parseExpression(step.when, `steps[${index}].when`);
    const expressions = [...input.expressions, ...own.expressions, ...(when ? [when] : [])];
    const name = stepTool(step);
    const tool = name === undefined ? undefined : registry.require(name);
    plans.set(step.id, {
      index,
      id: step.id,
      step,
      kind,
      tool,
      toolName: tool?.name ?? kind.key,
      input,
      when,
      dependsOn: step.dependsOn,
      dependents: [],
      retry: stepRetry(step),
      // A wait's own time limit is in its plan; it has no attempt to time.
      timeoutMs: own.wait ? undefined : (step.timeoutMs ?? tool?.timeoutMs),
      fatal: step.onError !== 'continue',
      readsContext: expressions.some((e) => e.variables.includes('context')),
      fanOut: own.fanOut,
      wait: own.wait,
    });
  });
  for (const plan of plans.values()) for (const dep of plan.dependsOn) plans.get(dep)?.dependents.push(plan.id);
  return plans;
}
