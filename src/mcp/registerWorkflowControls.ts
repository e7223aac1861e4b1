import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import type { WorkflowContext } from '../machines/WorkflowContext.js';
import type { Runtime } from '../runtime/createRuntime.js';
import type { WorkflowExecution } from '../runtime/startExecution.js';
import type { ExecutionHistory } from './ExecutionHistory.js';
import { listWorkflowFiles } from './listWorkflowFiles.js';
import { registerMcpTool } from './registerMcpTool.js';
import { successResult } from './successResult.js';

const ExecutionRef = z.object({ executionId: z.string().min(1) });

/**
 * `list_workflows`, `get_workflow_status`, `cancel_workflow`, and `pause_workflow` /
 * `resume_workflow`, which answer `NOT_SUPPORTED`: a durable pause needs the persistent
 * execution store, and an in-memory pause would be lost with the process.
 *
 * @example
 * registerWorkflowControls(server, runtime, history, 'examples');
 */
export function registerWorkflowControls(server: McpServer, runtime: Runtime, history: ExecutionHistory, workflowsDir: string): void {
  const find = (executionId: string): WorkflowExecution | undefined => runtime.executions().find((execution) => execution.executionId === executionId);

  registerMcpTool(server, { name: 'list_workflows', description: `Lists the workflow files (YAML/JSON) in ${workflowsDir}`, input: z.object({}) }, async () => {
    const workflows = await listWorkflowFiles(workflowsDir, runtime.tools);
    return successResult({ directory: workflowsDir, workflows }, `${workflows.length} workflow file(s): ${workflows.map((w) => w.name).join(', ') || 'none'}`);
  });

  const statusDescription = 'Status of an execution: running ones with their step states, finished ones (recent, this server process) with their result';
  registerMcpTool(server, { name: 'get_workflow_status', description: statusDescription, input: ExecutionRef }, async ({ executionId }) => {
    const running = find(executionId);
    if (running) {
      const context = (running.actor.getSnapshot() as { context: WorkflowContext }).context;
      const steps = Object.fromEntries(Object.entries(context.steps).map(([id, step]) => [id, { status: step.status, attempts: step.attempts }]));
      const { workflowId, correlationId, sessionId } = running;
      return successResult({ executionId, workflowId, correlationId, sessionId, status: 'running', steps }, `${workflowId}: running (execution ${executionId})`);
    }
    const finished = history.get(executionId);
    if (finished) return successResult(finished, `${finished.workflowId}: ${finished.status} (execution ${executionId})`);
    throw notFound(executionId, 'get_workflow_status');
  });

  const cancelInput = ExecutionRef.extend({ reason: z.string().max(500).optional() });
  registerMcpTool(server, { name: 'cancel_workflow', description: 'Cancels a running execution and returns its final result', input: cancelInput }, async ({ executionId, reason }) => {
    const running = find(executionId);
    if (!running) {
      const finished = history.get(executionId);
      if (!finished) throw notFound(executionId, 'cancel_workflow');
      throw new ToolError({ code: 'EXECUTION_FINISHED', type: ErrorType.validation, retryable: false, tool: 'cancel_workflow', message: `execution ${executionId} already ended: ${finished.status}` });
    }
    running.cancel(reason ?? 'cancelled by an MCP client');
    const result = await running.result;
    history.record(result);
    return successResult(result, `${result.workflowId}: ${result.status} (execution ${executionId})`);
  });

  for (const name of ['pause_workflow', 'resume_workflow'] as const) {
    registerMcpTool(server, { name, description: `${name === 'pause_workflow' ? 'Pauses' : 'Resumes'} an execution durably (needs the persistent store; not available yet)`, input: ExecutionRef }, async () => {
      throw new ToolError({
        code: 'NOT_SUPPORTED', type: ErrorType.unavailable, retryable: false, tool: name,
        message: `${name} needs the persistent execution store, which this runtime does not have yet`,
        details: { hint: 'cancel_workflow stops a run, and execute_workflow starts it again; durable pause and resume come with persistence' },
      });
    });
  }
}

function notFound(executionId: string, tool: string): ToolError {
  return new ToolError({
    code: 'EXECUTION_NOT_FOUND', type: ErrorType.notFound, retryable: false, tool,
    message: `no execution ${executionId} is running, nor among the recent results of this server`,
    details: { hint: 'only running executions and the last finished ones of this server process are known' },
  });
}
