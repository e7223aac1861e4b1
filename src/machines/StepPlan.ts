import type { AnyTool } from '../actors/defineTool.js';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { parseExpression, type Expression } from '../definition/Expression.js';
import { compileTemplate, type Template } from '../definition/Template.js';
import type { StepDefinition, WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';

/** A step with its tool resolved and its expressions parsed once. */
export interface StepPlan {
  index: number;
  id: string;
  step: StepDefinition;
  tool: AnyTool;
  input: Template;
  when: Expression | undefined;
  dependsOn: readonly string[];
  /** Effective time limit of one attempt: the step's, else the tool's default. */
  timeoutMs: number | undefined;
  /** Failures of this step count against the workflow's error policy. */
  fatal: boolean;
  /** Expressions read the session's shared context (so it is fetched only when needed). */
  readsContext: boolean;
}

/** Resolves tools and parses expressions of a validated definition. */
export function planSteps(definition: WorkflowDefinition, registry: ToolRegistry): Map<string, StepPlan> {
  const plans = new Map<string, StepPlan>();
  definition.steps.forEach((step, index) => {
    const input = compileTemplate(step.input, `steps[${index}].input`);
    if (input.errors[0]) throw input.errors[0];
    const when = step.when === undefined ? undefined : parseExpression(step.when, `steps[${index}].when`);
    const expressions = [...input.expressions, ...(when ? [when] : [])];
    plans.set(step.id, {
      index,
      id: step.id,
      step,
      tool: registry.require(step.tool),
      input,
      when,
      dependsOn: step.dependsOn,
      timeoutMs: step.timeoutMs ?? registry.require(step.tool).timeoutMs,
      fatal: step.onError !== 'continue',
      readsContext: expressions.some((e) => e.variables.includes('context')),
    });
  });
  return plans;
}
