import { assign, enqueueActions, setup } from 'xstate';
import type { AnyTool } from '../../actors/defineTool.js';
import { toRegistry, type ToolRegistry } from '../../actors/ToolRegistry.js';
import { compileTemplate } from '../../definition/Template.js';
import { validateWorkflow } from '../../definition/validateWorkflow.js';
import type { WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import { ErrorType } from '../../errors/ErrorInfo.js';
import { WorkflowValidationError } from '../../errors/WorkflowValidationError.js';
import { toErrorInfo } from '../../errors/toErrorInfo.js';
import type { RouteDecision } from '../supervisor/RouteDecision.js';
import { initialContext } from './initialContext.js';
import { createRouteActor } from './routeActor.js';
import { planSteps } from './StepPlan.js';
import { createToolActor, type KindCall } from './toolActor.js';
import { runChildCall, runsChildren } from './kinds/workflowKind.js';
import { createWorkflowEngine, type Transition } from './WorkflowEngine.js';
import type { WorkflowContext, WorkflowEmitted, WorkflowEvent, WorkflowMachineInput, WorkflowSignalEvent, WorkflowTimerEvent } from './WorkflowContext.js';
import { parseCallId, routedStepOf, WORKFLOW_TIMEOUT_DELAY } from './workflowIds.js';
import { standaloneServices, type WorkflowServices } from './WorkflowServices.js';

/** Options of {@link compileWorkflow}. */
export interface CompileOptions {
  /** Injected by the runtime; a standalone compile gets silent defaults. */
  services?: WorkflowServices;
}

/** What a child actor tells its workflow when it ends. */
type ChildEvent = { type: `xstate.done.actor.${string}`; output: unknown } | { type: `xstate.error.actor.${string}`; error: unknown };

type MachineEvent = WorkflowEvent | WorkflowTimerEvent | ChildEvent;

const DONE = 'xstate.done.actor.';
const ERROR = 'xstate.error.actor.';

/**
 * Compiles a workflow definition to an XState machine. The machine has one `running` state
 * whose transitions apply the scheduling rules of {@link createWorkflowEngine}: every call (a tool
 * step's, or each item's of a map step) is a spawned tool actor, every step's state
 * (pending, queued, running, retrying, routing, completed, failed, skipped) is JSON in context,
 * and retries and attempt timeouts are delayed events of the machine. So a step costs one
 * transition per call outcome whatever the graph's shape, Stately Inspector shows each call as
 * a child actor, and `getPersistedSnapshot()` restores a run mid-flight.
 *
 * @example
 * const machine = compileWorkflow(definition, [analyzeRepository, generateDockerfile]);
 * const actor = createActor(machine, { input: { executionId, correlationId, sessionId, input } }).start();
 */
export function compileWorkflow(definition: WorkflowDefinition, tools: ToolRegistry | Iterable<AnyTool>, options: CompileOptions = {}) {
  const registry = toRegistry(tools);
  const checked = validateWorkflow(definition, { tools: registry });
  if (!checked.success) throw new WorkflowValidationError(checked.issues);
  return compileValidWorkflow(checked.definition, registry, options);
}

/** {@link compileWorkflow} for a definition `validateWorkflow` already accepted (the runtime's path). */
export function compileValidWorkflow(definition: WorkflowDefinition, registry: ToolRegistry, options: CompileOptions = {}) {
  const services = options.services ?? standaloneServices();
  const plans = planSteps(definition, registry);
  const engine = createWorkflowEngine(definition, plans, services);
  const outputTemplate = definition.output === undefined ? undefined : compileTemplate(definition.output, 'output');
  const toolOf = (stepId: string): AnyTool => (plans.get(stepId) as { tool: AnyTool }).tool;
  const kindCalls = new Map<string, KindCall>();
  for (const p of plans.values()) {
    const { kind, step } = p;
    // A `map` over a workflow makes each item's call as a child run, like a `workflow` step.
    const own = kind.call ?? (runsChildren(step) ? runChildCall : undefined);
    if (own) kindCalls.set(p.id, (call, signal) => own(step, call, signal, services));
  }
  const timeoutMs = definition.timeoutMs;

  return setup({
    types: {
      context: {} as WorkflowContext,
      input: {} as WorkflowMachineInput,
      events: {} as MachineEvent,
      emitted: {} as WorkflowEmitted,
    },
    actors: { tool: createToolActor(toolOf, services, kindCalls.size === 0 ? undefined : (stepId) => kindCalls.get(stepId)), route: createRouteActor(services) },
    delays: {
      // From the absolute start time in context, so a run resumed from a snapshot waits only what is left.
      [WORKFLOW_TIMEOUT_DELAY]: ({ context }: { context: WorkflowContext }) => Math.max(0, context.startedAt + (timeoutMs ?? 0) - services.now()),
    },
    guards: {
      aborted: ({ context }) => context.aborted === true,
      settled: ({ context }) => context.open === 0,
      settledWithError: ({ context }) => context.failures > 0 || context.error !== undefined,
    },
    actions: {
      begin: enqueueActions(({ context, enqueue }) => apply(enqueue, engine.begin(context))),
      childDone: enqueueActions(({ context, event, enqueue }) => {
        const e = event as ChildEvent;
        const id = e.type.slice(e.type.startsWith(DONE) ? DONE.length : ERROR.length);
        const routed = routedStepOf(id);
        if (routed !== undefined) {
          const decision = 'output' in e ? (e.output as RouteDecision) : undefined;
          apply(enqueue, engine.routed(context, routed, decision, 'error' in e ? e.error : undefined));
          return;
        }
        // A tool step's call id is its step id; only map items need parsing.
        const call = plans.has(id) ? { stepId: id, index: undefined } : parseCallId(id);
        if (!call) return;
        apply(enqueue, 'output' in e ? engine.callDone(context, call.stepId, call.index, e.output) : engine.callError(context, call.stepId, call.index, e.error));
      }),
      timer: enqueueActions(({ context, event, enqueue }) => apply(enqueue, engine.timer(context, event as WorkflowTimerEvent))),
      signal: enqueueActions(({ context, event, enqueue }) => {
        const { name, payload, seq } = event as WorkflowSignalEvent;
        apply(enqueue, engine.signal(context, name, payload, seq));
      }),
      cancelUnfinished: assign(({ context }) => engine.cancelUnfinished(context)),
      finish: assign((_, { code, message }: { code?: string; message?: string }) => ({
        finishedAt: services.now(),
        ...(code === undefined ? {} : { error: { type: code === 'CANCELLED' ? ErrorType.cancelled : ErrorType.timeout, code, message: message ?? code } }),
      })),
      computeOutput: assign(({ context }) => {
        if (context.failures > 0 || !outputTemplate) return {};
        try {
          return { output: outputTemplate.evaluate({ input: context.input, steps: context.steps, env: context.env, context: services.sessionData(context.sessionId) }) };
        } catch (error) {
          return { error: { ...toErrorInfo(error), retryable: false } };
        }
      }),
    },
  }).createMachine({
    id: definition.id,
    context: ({ input }) => initialContext(definition, input, services.now()),
    initial: 'running',
    states: {
      running: {
        entry: 'begin',
        always: [
          { guard: 'aborted', target: 'failed', actions: 'cancelUnfinished' },
          { guard: 'settled', target: 'settling' },
        ],
        on: {
          'xstate.done.actor.*': { actions: 'childDone' },
          'xstate.error.actor.*': { actions: 'childDone' },
          'step.retry': { actions: 'timer' },
          'step.timeout': { actions: 'timer' },
          'step.wake': { actions: 'timer' },
          'workflow.signal': { actions: 'signal' },
          CANCEL: {
            target: 'cancelled',
            actions: [
              'cancelUnfinished',
              { type: 'finish', params: ({ event }) => ({ code: 'CANCELLED', message: (event).reason ?? 'the execution was cancelled' }) },
            ],
          },
        },
        ...(timeoutMs === undefined
          ? {}
          : {
              after: {
                [WORKFLOW_TIMEOUT_DELAY]: {
                  target: 'timed_out',
                  actions: ['cancelUnfinished', { type: 'finish', params: { code: 'WORKFLOW_TIMEOUT', message: `the workflow did not finish within ${timeoutMs} ms` } }],
                },
              },
            }),
      },
      settling: {
        entry: 'computeOutput',
        always: [{ guard: 'settledWithError', target: 'failed' }, { target: 'completed' }],
      },
      completed: { type: 'final', entry: { type: 'finish', params: {} } },
      failed: { type: 'final', entry: { type: 'finish', params: {} } },
      cancelled: { type: 'final' },
      timed_out: { type: 'final' },
    },
  });
}

/** A compiled workflow machine. */
export type WorkflowMachine = ReturnType<typeof compileValidWorkflow>;

/** The subset of XState's `enqueue` the engine's effects need. */
interface Enqueue {
  assign(context: (args: never) => Partial<WorkflowContext>): void;
  spawnChild(src: 'tool' | 'route', options: { id: string; input: unknown }): void;
  stopChild(id: string): void;
  raise(event: WorkflowTimerEvent, options: { id: string; delay: number }): void;
  cancel(id: string): void;
  emit(event: WorkflowEmitted): void;
}

/** Applies an engine transition with XState's own actions, in order. */
function apply(enqueue: unknown, transition: Transition): void {
  const q = enqueue as Enqueue;
  q.assign(() => transition.context);
  for (const effect of transition.effects) {
    switch (effect.type) {
      case 'spawn':
        q.spawnChild('tool', { id: effect.id, input: effect.input });
        break;
      case 'route':
        q.spawnChild('route', { id: effect.id, input: effect.input });
        break;
      case 'stop':
        q.stopChild(effect.id);
        break;
      case 'schedule':
        q.raise(effect.event, { id: effect.id, delay: effect.delayMs });
        break;
      case 'cancel':
        q.cancel(effect.id);
        break;
      case 'emit':
        q.emit(effect.event);
    }
  }
}
