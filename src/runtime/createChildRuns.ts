import type { Logger } from 'pino';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { isOrchkitError } from '../errors/OrchkitError.js';
import { ToolError } from '../errors/ToolError.js';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';
import type { Clock } from '../machines/Clock.js';
import { childExecutionId, type ChildRunRequest } from '../machines/workflow/ChildRunRequest.js';
import { MAX_DEPTH_EXCEEDED } from '../machines/workflow/kinds/workflowKind.js';
import type { ParentLink, WorkflowContext } from '../machines/workflow/WorkflowContext.js';
import type { ExecuteOptions } from './Runtime.js';
import type { WorkflowExecution } from './startExecution.js';
import type { ExecutionStore } from './store/ExecutionStore.js';
import type { WorkflowResult } from './WorkflowResult.js';
import type { WorkflowRegistry } from './WorkflowRegistry.js';

/** How a child run starts: its derived id, its depth and parent, and the bus message that caused it. */
export interface ChildStart {
  executionId: string;
  depth: number;
  parent: ParentLink;
  causationId?: string | undefined;
}

/** Child runs of a runtime: `run` is `WorkflowServices.runChild`; `existing` finds a child started before under its id. */
export interface ChildRuns {
  run(request: ChildRunRequest, signal: AbortSignal): Promise<unknown>;
  /** The run with this id: running here, taken up here from the store, or its stored result; `undefined` when none was started. */
  existing(childId: string, signal: AbortSignal): Promise<WorkflowExecution | WorkflowResult | undefined>;
}

/** What child runs need from their runtime. */
export interface ChildRunDeps {
  workflows: WorkflowRegistry;
  maxDepth: number;
  running: ReadonlyMap<string, WorkflowExecution>;
  start(definition: WorkflowDefinition, options: ExecuteOptions, child: ChildStart): WorkflowExecution;
  clock: Clock;
  logger: Logger;
  /** With a store: children are durable, found again by their id after a crash. */
  durable?: {
    store: ExecutionStore;
    /** Takes up a stored, unfinished child here (`runtime.resume({ executionId })`). */
    resume(executionId: string): Promise<unknown>;
    /** Whether this runtime holds the run (false once it is suspended here). */
    holds(executionId: string): boolean;
    suspend(executionId: string): Promise<void>;
    /** How often a child another node holds is looked up again. */
    pollMs: number;
  };
}

/**
 * Runs `workflow` steps' calls as child executions (`WorkflowServices.runChild`). A child's id
 * is derived from its parent's call (`childExecutionId`), so the call of a parent resumed after a
 * crash takes up the child it started (running here, stored unfinished, or stored finished)
 * instead of starting a second one. Aborting the call cancels the child; when the abort is the
 * durable parent's suspension here (stop, pause, lost lease), the child is suspended too, and
 * the resumed parent takes it up again.
 *
 * @example
 * services.runChild = createChildRuns({ workflows, maxDepth: 16, running, start, clock, logger }).run;
 */
export function createChildRuns(deps: ChildRunDeps): ChildRuns {
  const depthOf = (executionId: string): number => {
    const context = (deps.running.get(executionId)?.actor.getSnapshot() as { context?: WorkflowContext } | undefined)?.context;
    return context?.depth ?? 1;
  };

  /** The child already started under this id: running here, or (durable) taken up here or finished in the store. */
  const existing = async (childId: string, signal: AbortSignal): Promise<WorkflowExecution | WorkflowResult | undefined> => {
    const durable = deps.durable;
    for (;;) {
      const here = deps.running.get(childId);
      if (here) return here;
      if (!durable || signal.aborted) return undefined;
      const record = await durable.store.getExecution(childId);
      if (!record) return deps.running.get(childId);
      if (record.result !== undefined) return record.result as WorkflowResult;
      await durable.resume(childId).catch((error: unknown) => deps.logger.warn({ err: error, executionId: childId }, 'could not take up a child run here'));
      const taken = deps.running.get(childId);
      if (taken) return taken;
      // Held by another node (or being restored here): look again once its lease may have moved.
      await sleep(deps.clock, durable.pollMs, signal);
    }
  };

  const run = async (request: ChildRunRequest, signal: AbortSignal): Promise<unknown> => {
    const { call, workflowId } = request;
    // A run's first calls start inside its actor's start, before the runtime tracks the run:
    // one microtask later it is in `running`, with its depth in context.
    await Promise.resolve();
    const depth = depthOf(call.executionId) + 1;
    if (depth > deps.maxDepth) {
      throw new ToolError({
        code: MAX_DEPTH_EXCEEDED, type: ErrorType.execution, retryable: false, tool: 'workflow',
        message: `step "${call.stepId}" would run workflow "${workflowId}" at depth ${depth}, deeper than maxWorkflowDepth ${deps.maxDepth}`,
        details: { depth, maxWorkflowDepth: deps.maxDepth },
      });
    }
    const childId = childExecutionId(call);
    const found = await existing(childId, signal);
    if (found !== undefined && !('actor' in found)) return outcome(found, workflowId);
    if (signal.aborted) throw abortError(call.stepId);
    const execution = found ?? startChild(request, childId, depth);
    const onAbort = (): void => {
      // The parent suspended here (its lease released first): the child stops here too, unfinished.
      if (deps.durable && !deps.durable.holds(call.executionId) && deps.durable.holds(childId)) void deps.durable.suspend(childId);
      else execution.cancel(`the parent step "${call.stepId}" of execution ${call.executionId} was cancelled`);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return outcome(await execution.result, workflowId);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  return { run, existing };

  function startChild(request: ChildRunRequest, childId: string, depth: number): WorkflowExecution {
    const { call, workflowId, version } = request;
    try {
      const definition = deps.workflows.require(workflowId, version);
      const parent = deps.running.get(call.executionId);
      return deps.start(
        definition,
        { input: call.input, correlationId: call.correlationId, sessionId: call.sessionId },
        { executionId: childId, depth, parent: { executionId: call.executionId, stepId: call.stepId }, causationId: parent?.stepMessageId?.(call.stepId) },
      );
    } catch (error) {
      if (!isOrchkitError(error)) throw error;
      // Input the child does not accept, or a workflow this runtime lacks: no retry helps.
      const first = isWorkflowValidationError(error) ? error.issues[0] : undefined;
      throw new ToolError({
        code: first?.code ?? error.code, type: error.type, retryable: false, tool: 'workflow',
        message: `step "${call.stepId}" cannot start workflow "${workflowId}": ${error.message}`,
        details: { childExecutionId: childId, ...(first ? { path: first.path } : {}) },
        cause: error,
      });
    }
  }
}

/** A child's output, or its failure as the parent step's error (the child's code, type and retryability). */
function outcome(result: WorkflowResult, workflowId: string): unknown {
  if (result.status === 'completed') return result.output;
  const error = result.error;
  const where = error?.stepId === undefined ? '' : ` at step "${error.stepId}"`;
  throw new ToolError({
    code: error?.code ?? 'CHILD_FAILED',
    type: error?.type ?? ErrorType.execution,
    tool: 'workflow',
    message: `child workflow "${workflowId}" (execution ${result.executionId}) ${result.status}${where}: ${error?.message ?? 'no error recorded'}`,
    ...(error?.retryable === undefined ? {} : { retryable: error.retryable }),
    details: { childExecutionId: result.executionId, childStatus: result.status, ...(error?.stepId === undefined ? {} : { childStepId: error.stepId }) },
  });
}

function abortError(stepId: string): ToolError {
  return new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, tool: 'workflow', message: `step "${stepId}" was cancelled before its child run started` });
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
