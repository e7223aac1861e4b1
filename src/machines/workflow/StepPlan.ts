import type { AnyTool } from '../../actors/defineTool.js';
import type { ToolRegistry } from '../../actors/ToolRegistry.js';
import { parseExpression, type Expression } from '../../definition/Expression.js';
import type { RetryPolicy } from '../../definition/RetryPolicySchema.js';
import { compileTemplate, type Template } from '../../definition/Template.js';
import type { StepDefinition, WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import { kindOf } from './kinds/stepKinds.js';
import type { FanOut, StepKind } from './kinds/StepKind.js';

/** A step with its kind and tool resolved and its expressions parsed once. */
export interface StepPlan {
  index: number;
  id: string;
  step: StepDefinition;
  kind: StepKind;
  tool: AnyTool;
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
}

/** Resolves kinds and tools and parses expressions of a validated definition. */
export function planSteps(definition: WorkflowDefinition, registry: ToolRegistry): Map<string, StepPlan> {
  const plans = new Map<string, StepPlan>();
  definition.steps.forEach((step, index) => {
    const kind = kindOf(step);
    const own = kind.plan(step, index, definition);
    const input = compileTemplate(step.input, `steps[${index}].input`);
    if (input.errors[0]) throw input.errors[0];
    const when = step.when === undefined ? undefined : parseExpression(step.when, `steps[${index}].when`);
    const expressions = [...input.expressions, ...own.expressions, ...(when ? [when] : [])];
    const tool = registry.require(step.tool);
    plans.set(step.id, {
      index,
      id: step.id,
      step,
      kind,
      tool,
      input,
      when,
      dependsOn: step.dependsOn,
      dependents: [],
      retry: step.retry,
      timeoutMs: step.timeoutMs ?? tool.timeoutMs,
      fatal: step.onError !== 'continue',
      readsContext: expressions.some((e) => e.variables.includes('context')),
      fanOut: own.fanOut,
    });
  });
  for (const plan of plans.values()) for (const dep of plan.dependsOn) plans.get(dep)?.dependents.push(plan.id);
  return plans;
}
