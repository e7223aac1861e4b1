import { assign, setup, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { stepRetry, stepTool } from '../definition/steps/stepTool.js';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import type { StepStatus, WorkflowStatus } from '../machines/workflow/WorkflowContext.js';
import { Outcome, attemptOutcomes, errorCodeOf, kindOutcomes, type OutcomeFilter } from './Outcome.js';
import { modelRegion, type ModelStepPlan } from './modelRegion.js';

/** What the abstract model records about one step: the runtime's status, and every outcome it drew. */
export interface ModelStep {
  status: StepStatus;
  attempts: number;
  outcomes: string[];
  /** `deciding` a `when` condition, or `active` (running or retrying) and waiting for an outcome. */
  awaiting?: 'condition' | 'outcome';
  condition?: boolean;
}

/** Context of the abstract model (JSON, so `xstate/graph` serialises it into the state key). */
export interface ModelContext {
  steps: Record<string, ModelStep>;
  queue: string[];
  running: number;
  failures: number;
}

/** What the model predicts for a finished run. */
export interface ModelPrediction {
  status: Extract<WorkflowStatus, 'completed' | 'failed'>;
  steps: Record<string, { status: StepStatus; attempts: number; errorCode?: string }>;
}

/** The abstract model of a workflow: a plain state machine, its step plans, and its reading of a final state. */
export interface WorkflowModel {
  readonly machine: AnyStateMachine;
  readonly definition: WorkflowDefinition;
  readonly plans: ReadonlyMap<string, ModelStepPlan>;
  /** The step whose outcome comes next in the canonical order, or `undefined` at the end. */
  nextStep(context: ModelContext): string | undefined;
  predict(snapshot: AnyMachineSnapshot): ModelPrediction;
}

type Params = { stepId: string };
const TERMINAL = new Set<StepStatus>(['completed', 'failed', 'skipped', 'cancelled']);
const MODEL_ID = 'model';

/**
 * Derives the abstract model of a validated workflow: one region per step, tool outcomes as
 * events, and the runtime's release, skip, retry, concurrency and error-policy rules. Outcomes are
 * serialised in a canonical order (a pending `when` decision first, else the lowest-index active
 * step), so concurrency interleavings are not enumerated and the path count stays small.
 *
 * @example
 * const model = buildWorkflowModel(definition, createToolRegistry(tools));
 * const paths = getShortestPaths(model.machine, {
 *   toState: (state) => state.status === 'done',
 *   filterEvents: (state, event) => !event.type.startsWith('xstate.') && state.can(event),
 * });
 */
export function buildWorkflowModel(definition: WorkflowDefinition, tools: ToolRegistry, filter: OutcomeFilter = {}): WorkflowModel {
  const plans = new Map<string, ModelStepPlan>();
  for (const step of definition.steps) {
    const name = stepTool(step);
    const tool = name === undefined ? undefined : tools.require(name);
    plans.set(step.id, { step, tool, outcomes: tool ? attemptOutcomes(step, tool, filter) : kindOutcomes(step, filter) });
  }
  const order = definition.steps.map((s) => s.id);
  const plan = (stepId: string): ModelStepPlan => plans.get(stepId) as ModelStepPlan;
  // A parked wait holds no concurrency slot (the engine's rule): it neither takes nor frees one.
  const slots = (stepId: string): number => (plan(stepId).tool === undefined ? 0 : 1);
  const concurrency = definition.concurrency ?? Infinity;
  const bounded = concurrency !== Infinity;
  const allowedFailures = definition.errorPolicy.mode === 'fail_fast' ? 0 : (definition.errorPolicy.maxFailures ?? Infinity);
  const nextStep = (context: ModelContext): string | undefined =>
    order.find((id) => context.steps[id]?.awaiting === 'condition') ?? order.find((id) => context.steps[id]?.awaiting === 'outcome');
  const patch = (context: ModelContext, stepId: string, changes: Partial<ModelStep>): Record<string, ModelStep> => {
    const { awaiting: _awaiting, ...rest } = context.steps[stepId] as ModelStep;
    return { ...context.steps, [stepId]: { ...rest, ...changes } };
  };
  const depStatus = (context: ModelContext, dep: string): StepStatus | undefined => context.steps[dep]?.status;

  const model = setup({
    types: { context: {} as ModelContext },
    guards: {
      // The release rules of the compiled machine (`decideRelease`), condition aside.
      blocked: ({ context }, { stepId }: Params) =>
        plan(stepId).step.dependsOn.some((dep) => {
          const status = depStatus(context, dep);
          if (status === 'skipped') return plan(stepId).step.skipIfDependencySkipped;
          return status !== undefined && status !== 'completed' && TERMINAL.has(status);
        }),
      released: ({ context }, { stepId }: Params) =>
        plan(stepId).step.dependsOn.every((dep) => {
          const status = depStatus(context, dep);
          return status === 'completed' || (status === 'skipped' && !plan(stepId).step.skipIfDependencySkipped);
        }),
      hasSlot: ({ context }, { stepId }: Params) => context.running < concurrency && (concurrency === Infinity || context.queue[0] === stepId),
      isNext: ({ context }, { stepId }: Params) => nextStep(context) === stepId,
      canRetry: ({ context }, { stepId }: Params) =>
        nextStep(context) === stepId && (context.steps[stepId]?.attempts ?? 0) < (stepRetry(plan(stepId).step)?.maxAttempts ?? 1),
      abortsWorkflow: ({ context }, { stepId }: Params) => nextStep(context) === stepId && context.failures + 1 > allowedFailures,
      settledWithError: ({ context }) => context.failures > 0,
    },
    actions: {
      enqueue: assign(({ context }, { stepId }: Params) => ({
        queue: bounded ? [...context.queue, stepId] : context.queue,
        steps: plan(stepId).step.when === undefined ? context.steps : patch(context, stepId, { awaiting: 'condition' }),
      })),
      decide: assign(({ context }, { stepId, value }: Params & { value: boolean }) => ({
        queue: value ? context.queue : context.queue.filter((id) => id !== stepId),
        steps: patch(context, stepId, { condition: value, ...(value ? {} : { status: 'skipped' as const }) }),
      })),
      start: assign(({ context }, { stepId }: Params) => ({
        queue: context.queue.filter((id) => id !== stepId),
        running: context.running + slots(stepId),
        steps: patch(context, stepId, { status: 'running', attempts: 1, awaiting: 'outcome' }),
      })),
      complete: assign(({ context }, { stepId }: Params) => ({
        running: context.running - slots(stepId),
        steps: patch(context, stepId, { status: 'completed', outcomes: [...(context.steps[stepId]?.outcomes ?? []), Outcome.ok] }),
      })),
      retry: assign(({ context }, { stepId, outcome }: Params & { outcome: string }) => {
        const step = context.steps[stepId] as ModelStep;
        return { steps: patch(context, stepId, { attempts: step.attempts + 1, outcomes: [...step.outcomes, outcome], awaiting: 'outcome' }) };
      }),
      fail: assign(({ context }, { stepId, outcome }: Params & { outcome: string }) => ({
        running: context.running - slots(stepId),
        failures: context.failures + (plan(stepId).step.onError === 'continue' ? 0 : 1),
        steps: patch(context, stepId, { status: 'failed', outcomes: [...(context.steps[stepId]?.outcomes ?? []), outcome] }),
      })),
      skip: assign(({ context }, { stepId }: Params) => ({ steps: patch(context, stepId, { status: 'skipped' }) })),
      cancelUnfinished: assign(({ context }) => ({
        steps: Object.fromEntries(
          Object.entries(context.steps).map(([id, s]) => {
            const { awaiting: _awaiting, ...rest } = s;
            return [id, TERMINAL.has(s.status) ? rest : { ...rest, status: 'cancelled' as const }];
          }),
        ),
        queue: [],
        running: 0,
      })),
    },
  });

  const regions: Record<string, unknown> = {};
  for (const p of plans.values()) regions[p.step.id] = modelRegion(p, { bounded, allowedFailures, failedTarget: `#${MODEL_ID}.failed` });
  const machine = model.createMachine({
    id: MODEL_ID,
    context: {
      steps: Object.fromEntries(order.map((id) => [id, { status: 'pending', attempts: 0, outcomes: [] }])),
      queue: [],
      running: 0,
      failures: 0,
    },
    initial: 'running',
    states: {
      running: {
        type: 'parallel',
        states: regions as never,
        onDone: 'settling',
      },
      settling: { always: [{ guard: 'settledWithError', target: 'failed' }, { target: 'completed' }] },
      completed: { type: 'final' },
      failed: { type: 'final' },
    },
  } as never) as unknown as AnyStateMachine;

  const predict = (snapshot: AnyMachineSnapshot): ModelPrediction => {
    const context = snapshot.context as ModelContext;
    const steps: ModelPrediction['steps'] = {};
    for (const [id, s] of Object.entries(context.steps)) {
      const last = s.outcomes[s.outcomes.length - 1];
      steps[id] = { status: s.status, attempts: s.attempts, ...(s.status === 'failed' && last !== undefined ? { errorCode: errorCodeOf(last) } : {}) };
    }
    return { status: snapshot.value === 'completed' ? 'completed' : 'failed', steps };
  };
  return { machine, definition, plans, nextStep, predict };
}
