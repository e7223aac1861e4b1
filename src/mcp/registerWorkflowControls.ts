import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { isRuntimeError } from '../errors/RuntimeError.js';
import type { WorkflowContext } from '../machines/workflow/WorkflowContext.js';
import type { Runtime } from '../runtime/createRuntime.js';
import type { ExecutionRecord, ExecutionStore } from '../runtime/store/ExecutionStore.js';
import type { WorkflowExecution } from '../runtime/startExecution.js';
import type { WorkflowResult } from '../runtime/WorkflowResult.js';
import { ExecutionAnswerSchema } from './ExecutionAnswerSchema.js';
import type { ExecutionHistory } from './ExecutionHistory.js';
import { listWorkflowFiles, WorkflowFileEntrySchema } from './listWorkflowFiles.js';
import { registerMcpTool } from './registerMcpTool.js';
import { RegisteredEntrySchema, registeredEntries } from './registeredEntries.js';
import type { SessionScope } from './SessionScope.js';
import { storedStatus, type StoredStatus } from './storedStatus.js';
import { successResult } from './successResult.js';

const ExecutionRef = z.object({ executionId: z.string().min(1) });

/**
 * `list_workflows`, `get_workflow_status`, `cancel_workflow`, `pause_workflow`,
 * `resume_workflow` and `signal_workflow`. With a store (`orchkit mcp --store`), status is read from it and pause,
 * resume and cancel are written to it, so they reach runs of any node and outlive the server;
 * without one, status covers this process only and pause/resume answer `NOT_SUPPORTED`.
 * Runs in a session of another MCP session (`scope`) are not found here.
 *
 * @example
 * registerWorkflowControls(server, runtime, history, 'examples', sessionScope(undefined));
 */
export function registerWorkflowControls(server: McpServer, runtime: Runtime, history: ExecutionHistory, workflowsDir: string, scope: SessionScope): void {
  const find = (executionId: string): WorkflowExecution | undefined =>
    runtime.executions().find((execution) => execution.executionId === executionId && scope.owns(execution.sessionId));
  const stored = async (executionId: string): Promise<ExecutionRecord | undefined> => {
    const record = await runtime.store?.getExecution(executionId);
    return record && scope.owns(record.sessionId) ? record : undefined;
  };
  const recent = (executionId: string): WorkflowResult | undefined => {
    const result = history.get(executionId);
    return result && scope.owns(result.sessionId) ? { ...result, sessionId: scope.outer(result.sessionId) } : undefined;
  };
  const statusOf = (record: ExecutionRecord): StoredStatus => ({ ...storedStatus(record), sessionId: scope.outer(record.sessionId) });

  const ListAnswer = z.object({ directory: z.string(), workflows: z.array(WorkflowFileEntrySchema), registered: z.array(RegisteredEntrySchema) });
  const listDescription = `Lists the workflows registered on the runtime (run them with execute_workflow { workflowId }) and the workflow files (YAML/JSON) in ${workflowsDir}`;
  registerMcpTool(server, { name: 'list_workflows', description: listDescription, input: z.object({}), output: ListAnswer }, async () => {
    const workflows = await listWorkflowFiles(workflowsDir, runtime.tools);
    const registered = registeredEntries(runtime);
    const ids = registered.filter((w) => w.latest).map((w) => `${w.id}@${w.version}`);
    return successResult({ directory: workflowsDir, workflows, registered }, `${registered.length} registered (${ids.join(', ') || 'none'}); ${workflows.length} workflow file(s): ${workflows.map((w) => w.name).join(', ') || 'none'}`);
  });

  const statusDescription = 'Status of an execution with its step states: running here, or (with a store) stored by any node; finished ones with their result';
  registerMcpTool(server, { name: 'get_workflow_status', description: statusDescription, input: ExecutionRef, output: ExecutionAnswerSchema }, async ({ executionId }) => {
    const running = find(executionId);
    if (running) {
      const context = (running.actor.getSnapshot() as { context: WorkflowContext }).context;
      const steps = stepStates(context);
      const { workflowId, correlationId } = running;
      return successResult({ executionId, workflowId, correlationId, sessionId: scope.outer(running.sessionId), status: 'running', steps }, `${workflowId}: running (execution ${executionId})`);
    }
    const record = await stored(executionId);
    if (record) {
      const answer = statusOf(record);
      return successResult(answer, `${record.workflowId}: ${record.status} (execution ${executionId}${record.owner ? `, on ${record.owner}` : ''})`);
    }
    const finished = recent(executionId);
    if (finished) return successResult(finished, `${finished.workflowId}: ${finished.status} (execution ${executionId})`);
    throw notFound(executionId, 'get_workflow_status', runtime.store);
  });

  const cancelInput = ExecutionRef.extend({ reason: z.string().max(500).optional() });
  const cancelDescription = 'Cancels an execution: one running here ends now with its result; with a store, one on another node ends at that node\'s next lease renewal';
  registerMcpTool(server, { name: 'cancel_workflow', description: cancelDescription, input: cancelInput, output: ExecutionAnswerSchema }, async ({ executionId, reason }) => {
    const running = find(executionId);
    if (running) {
      running.cancel(reason ?? 'cancelled by an MCP client');
      const result = await running.result;
      history.record(result);
      return successResult({ ...result, sessionId: scope.outer(result.sessionId) }, `${result.workflowId}: ${result.status} (execution ${executionId})`);
    }
    const store = runtime.store;
    const record = await stored(executionId);
    if (store && record && !isEnded(record.status)) {
      const requested = await store.setStatus(executionId, 'cancelled');
      return successResult(statusOf(requested), `${requested.workflowId}: cancel requested (execution ${executionId}${requested.owner ? `, on ${requested.owner}` : ''})`);
    }
    const ended = record?.status ?? recent(executionId)?.status;
    if (ended === undefined) throw notFound(executionId, 'cancel_workflow', store);
    throw new ToolError({ code: 'EXECUTION_FINISHED', type: ErrorType.validation, retryable: false, tool: 'cancel_workflow', message: `execution ${executionId} already ended: ${ended}` });
  });

  const SignalInput = ExecutionRef.extend({
    name: z.string().min(1).describe("The signal name: a wait step's `signal`"),
    payload: z.unknown().optional().describe("JSON; the wait step's output (null when absent)"),
  });
  const signalDescription = 'Sends a signal to an execution running here: completes the wait step parked for that name (its payload is the step output), or is kept until the step waits';
  registerMcpTool(server, { name: 'signal_workflow', description: signalDescription, input: SignalInput, output: ExecutionAnswerSchema }, async ({ executionId, name, payload }) => {
    const running = find(executionId);
    if (!running) {
      if (!(await stored(executionId)) && !recent(executionId)) throw notFound(executionId, 'signal_workflow', runtime.store);
    }
    try {
      await runtime.signal(executionId, name, payload);
    } catch (error) {
      if (!isRuntimeError(error)) throw error;
      const type = error.code === 'EXECUTION_NOT_FOUND' ? ErrorType.notFound : ErrorType.validation;
      throw new ToolError({ code: error.code, type, retryable: false, tool: 'signal_workflow', message: error.message, ...(error.path === undefined ? {} : { details: { path: error.path } }) });
    }
    const execution = running ?? find(executionId);
    const context = execution ? (execution.actor.getSnapshot() as { context: WorkflowContext }).context : undefined;
    const answer = { executionId, status: context ? 'running' : 'finished', ...(execution ? { workflowId: execution.workflowId, correlationId: execution.correlationId } : {}), ...(context ? { steps: stepStates(context) } : {}) };
    return successResult(answer, `signal ${name} sent to execution ${executionId}`);
  });

  const pauseDescription = 'Pauses an execution durably (needs the store): it stops where it is, survives restarts, and waits for resume_workflow; the step that was running runs again on resume';
  registerMcpTool(server, { name: 'pause_workflow', description: pauseDescription, input: ExecutionRef, output: ExecutionAnswerSchema }, async ({ executionId }) => {
    const store = requireStore(runtime, 'pause_workflow');
    if (!find(executionId) && !(await stored(executionId))) throw notFound(executionId, 'pause_workflow', store);
    const record = await runtime.pause(executionId);
    const where = record.owner ? `; ${record.owner} stops it at its next lease renewal` : '';
    return successResult(statusOf(record), `${record.workflowId}: paused (execution ${executionId}${where})`);
  });

  const resumeDescription = 'Resumes a paused execution (or one left running by a stopped node) on this server, from its last journaled step';
  registerMcpTool(server, { name: 'resume_workflow', description: resumeDescription, input: ExecutionRef, output: ExecutionAnswerSchema }, async ({ executionId }) => {
    const store = requireStore(runtime, 'resume_workflow');
    if (find(executionId)) return successResult({ executionId, status: 'running' }, `execution ${executionId} is already running here`);
    if (!(await stored(executionId))) throw notFound(executionId, 'resume_workflow', store);
    const [execution] = await runtime.resume({ executionId });
    if (execution) {
      void execution.result.then((result) => history.record(result));
      const { workflowId, correlationId } = execution;
      return successResult({ executionId, workflowId, correlationId, sessionId: scope.outer(execution.sessionId), status: 'running' }, `${workflowId}: resumed here (execution ${executionId})`);
    }
    const record = await stored(executionId);
    if (!record) throw notFound(executionId, 'resume_workflow', store);
    if (isEnded(record.status)) {
      throw new ToolError({ code: 'EXECUTION_FINISHED', type: ErrorType.validation, retryable: false, tool: 'resume_workflow', message: `execution ${executionId} already ended: ${record.status}` });
    }
    // Running, and its lease is held by another node: it is not paused, nothing to resume.
    return successResult(statusOf(record), `${record.workflowId}: ${record.status} on ${record.owner ?? 'another node'} (execution ${executionId})`);
  });
}

const isEnded = (status: string): boolean => ['completed', 'failed', 'cancelled', 'timed_out'].includes(status);

/** Step states as the controls answer them; a parked wait says what it waits for. */
function stepStates(context: WorkflowContext): Record<string, { status: string; attempts: number; phase?: string; signal?: string }> {
  return Object.fromEntries(
    Object.entries(context.steps).map(([id, step]) => [
      id,
      step.phase === 'waiting' ? { status: step.status, attempts: step.attempts, phase: 'waiting', ...(step.signal === undefined ? {} : { signal: step.signal }) } : { status: step.status, attempts: step.attempts },
    ]),
  );
}

function requireStore(runtime: Runtime, tool: string): ExecutionStore {
  if (runtime.store) return runtime.store;
  throw new ToolError({
    code: 'NOT_SUPPORTED', type: ErrorType.unavailable, retryable: false, tool,
    message: `${tool} needs the execution store, and this server runs without one`,
    details: { hint: 'start the server with a store (orchkit mcp --store sqlite:.orchkit/runs.db); meanwhile cancel_workflow stops a run and execute_workflow starts it again' },
  });
}

function notFound(executionId: string, tool: string, store: ExecutionStore | undefined): ToolError {
  return new ToolError({
    code: 'EXECUTION_NOT_FOUND', type: ErrorType.notFound, retryable: false, tool,
    message: `no execution ${executionId} is running here${store ? ', in the store,' : ''} or among the recent results of this server`,
    details: { hint: store ? 'check the id: get it from execute_workflow or orchkit runs list' : 'without a store only running executions and the last finished ones of this server process are known' },
  });
}
