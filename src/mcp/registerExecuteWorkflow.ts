import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Runtime } from '../runtime/createRuntime.js';
import type { Subscription } from 'rxjs';
import type { BusMessage } from '../runtime/BusMessage.js';
import type { WorkflowExecution } from '../runtime/startExecution.js';
import type { WorkflowResult } from '../runtime/WorkflowResult.js';
import { ExecutionAnswerSchema } from './ExecutionAnswerSchema.js';
import type { ExecutionHistory } from './ExecutionHistory.js';
import { forwardProgress } from './forwardProgress.js';
import { loadWorkflowSource } from './loadWorkflowSource.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { isRuntimeError, RuntimeError } from '../errors/RuntimeError.js';
import { registerMcpTool } from './registerMcpTool.js';
import type { SessionScope } from './SessionScope.js';
import { successResult } from './successResult.js';

const ExecuteWorkflowInput = z
  .object({
    path: z.string().min(1).optional().describe('workflow file (YAML or JSON) in the workspace: a path, or a name or id from list_workflows'),
    definition: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional().describe('inline workflow definition: an object, or YAML/JSON text'),
    workflowId: z.string().min(1).optional().describe('id of a registered workflow (list_workflows, registered): runs its latest version, or `version`'),
    version: z.union([z.string().min(1), z.number()]).transform(String).optional().describe('with workflowId: the registered version to run'),
    input: z.record(z.string(), z.unknown()).optional().describe('workflow input'),
    sessionId: z.string().min(1).optional().describe('session whose shared context the run reads and writes (private to this MCP session)'),
    wait: z.boolean().default(true).describe('false: answer with the executionId at once and follow the run with get_workflow_status'),
  })
  .refine((args) => [args.path, args.definition, args.workflowId].filter((given) => given !== undefined).length === 1, { message: 'give exactly one of path, definition or workflowId', path: ['path'] })
  .refine((args) => args.version === undefined || args.workflowId !== undefined, { message: 'version goes with workflowId', path: ['version'] });

/**
 * `execute_workflow`: runs a workflow file or an inline definition with `runtime.startWorkflow`.
 * With a `progressToken` it sends one progress notification per settled step; cancelling the
 * request cancels the run. A run that does not complete is an `isError` result carrying the
 * `WorkflowResult` (its `error.code` and `error.stepId`). Files are read from the workspace only.
 *
 * @example
 * registerExecuteWorkflow(server, runtime, history, { workflowsDir: 'examples', workspaceRoot: process.cwd(), scope });
 */
export function registerExecuteWorkflow(server: McpServer, runtime: Runtime, history: ExecutionHistory, where: ExecuteWorkflowPlaces): void {
  const { workflowsDir, workspaceRoot, scope } = where;
  const description = 'Runs an orchkit workflow (a registered one by workflowId, a file, or an inline definition) and returns its result; sends a progress notification per step';
  registerMcpTool(server, { name: 'execute_workflow', description, input: ExecuteWorkflowInput, output: ExecutionAnswerSchema }, async (args, extra) => {
    // By id: a RuntimeError WORKFLOW_NOT_FOUND (path `workflowId` or `version`) for an unknown one.
    const definition = args.workflowId === undefined ? await loadWorkflowSource(args, { tools: runtime.tools, workflowsDir, workspaceRoot }) : registered(runtime, args.workflowId, args.version);
    const correlationId = randomUUID();
    // Scoped, a run without a session gets a fresh one of this MCP session: other sessions do not see it.
    const named = args.sessionId ?? (scope.scoped ? randomUUID() : undefined);
    const progress = args.wait ? forwardProgress(runtime.bus, correlationId, extra, definition.steps.length) : undefined;
    try {
      const execution = runtime.startWorkflow(definition, {
        input: args.input ?? {},
        correlationId,
        workspaceRoot, // the run's tools resolve their paths inside it (ctx.resolvePath)
        ...(named === undefined ? {} : { sessionId: scope.inner(named) }),
        ...(args.wait ? { signal: extra.signal } : {}),
      });
      void execution.result.then((result) => history.record(result));
      const sessionId = scope.outer(execution.sessionId);
      if (!args.wait) {
        const { executionId, workflowId } = execution;
        return successResult({ executionId, correlationId, workflowId, sessionId, status: 'running' }, `${workflowId}: started execution ${executionId}`);
      }
      const outcome = await untilSettled(runtime, execution);
      if ('suspended' in outcome) {
        const { executionId, workflowId } = execution;
        const reason = (outcome.suspended.payload as { reason: string }).reason;
        const text = `${workflowId}: ${reason === 'paused' ? 'paused' : `suspended (${reason})`}; resume_workflow takes it up again (execution ${executionId})`;
        return successResult({ executionId, correlationId, workflowId, sessionId, status: reason === 'paused' ? 'paused' : 'suspended', reason }, text);
      }
      const result = { ...outcome, sessionId };
      history.record(outcome);
      return { ...successResult(result, summarize(result)), ...(result.status === 'completed' ? {} : { isError: true }) };
    } finally {
      await progress?.stop();
    }
  });
}

/** A registered definition, its RuntimeError's path named after this tool's arguments. */
function registered(runtime: Runtime, workflowId: string, version: string | undefined): WorkflowDefinition {
  try {
    return runtime.getWorkflow(workflowId, version);
  } catch (error) {
    if (isRuntimeError(error)) throw new RuntimeError(error.code, error.message, { path: error.path === 'version' ? 'version' : 'workflowId', cause: error });
    throw error;
  }
}

/** Where `execute_workflow` finds files and whose sessions it runs in. */
export interface ExecuteWorkflowPlaces {
  workflowsDir: string;
  workspaceRoot: string;
  scope: SessionScope;
}

/** The run's result, or the `execution.suspended` message if it is paused or suspended first (it then has no result here). */
async function untilSettled(runtime: Runtime, execution: WorkflowExecution): Promise<WorkflowResult | { suspended: BusMessage }> {
  let subscription: Subscription | undefined;
  const suspended = new Promise<{ suspended: BusMessage }>((resolve) => {
    subscription = runtime.bus.subscribe('execution.suspended').subscribe((message) => {
      if (message.executionId === execution.executionId) resolve({ suspended: message });
    });
  });
  try {
    return await Promise.race([execution.result, suspended]);
  } finally {
    subscription?.unsubscribe();
  }
}

function summarize(result: WorkflowResult): string {
  const steps = Object.values(result.steps);
  const count = (status: string): number => steps.filter((step) => step.status === status).length;
  const tally = `${count('completed')} completed, ${count('skipped')} skipped, ${count('failed')} failed`;
  const error = result.error ? `; ${result.error.code}${result.error.stepId ? ` at step ${result.error.stepId}` : ''}: ${result.error.message}` : '';
  return `${result.workflowId}: ${result.status} in ${result.durationMs} ms (${tally}), execution ${result.executionId}${error}`;
}
