import { z } from 'zod';
import type { ToolErrorSpec } from '../actors/defineTool.js';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { stepTool } from '../definition/steps/stepTool.js';
import type { ContextStore } from './ContextStore.js';
import type { SessionContext } from '../actors/SessionContext.js';
import type { WorkflowResult } from './WorkflowResult.js';

/** A tool as recorded in a session's context. */
export interface ToolInfo {
  name: string;
  description: string;
  inputSchema: unknown;
  outputSchema: unknown;
  errors: Record<string, ToolErrorSpec>;
  /** Calls of it in the session's recorded executions. */
  calls: number;
}

/** One step of a recorded execution. */
export interface HistoryStep {
  executionId: string;
  workflowId: string;
  stepId: string;
  tool: string;
  status: string;
  attempts: number;
  errorCode: string | null;
  routedTo: string[];
  finishedAt: number | null;
}

const HISTORY_LIMIT = 200;
const schemaCache = new WeakMap<ToolRegistry, Omit<ToolInfo, 'calls'>[]>();

function describeTools(tools: ToolRegistry): Omit<ToolInfo, 'calls'>[] {
  let described = schemaCache.get(tools);
  if (!described) {
    described = tools.list().map((tool) => ({
      name: tool.name,
      description: tool.description,
      inputSchema: z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }),
      outputSchema: z.toJSONSchema(tool.output, { unrepresentable: 'any' }),
      errors: { ...tool.errors },
    }));
    schemaCache.set(tools, described);
  }
  return described;
}

/** Writes `tool_registry` (the registered tools and their JSON Schemas) once into a session. */
export function shareToolRegistry(store: ContextStore, sessionId: string, tools: ToolRegistry): void {
  const session = store.forSession(sessionId, 'orchkit');
  if (session.get('tool_registry') === undefined) session.share('tool_registry', describeTools(tools));
}

/** Appends an execution's steps (tool, status, attempts, error code, routing) to `execution_history`. */
export function recordExecutionHistory(store: ContextStore, result: WorkflowResult, definition: WorkflowDefinition): void {
  const session = store.forSession(result.sessionId, 'orchkit');
  const previous = session.get<HistoryStep[]>('execution_history')?.data ?? [];
  const steps: HistoryStep[] = definition.steps.map((step) => {
    const outcome = result.steps[step.id];
    return {
      executionId: result.executionId,
      workflowId: result.workflowId,
      stepId: step.id,
      tool: stepTool(step) ?? '',
      status: outcome?.status ?? 'pending',
      attempts: outcome?.attempts ?? 0,
      errorCode: outcome?.error?.code ?? null,
      routedTo: outcome?.routedTo ?? [],
      finishedAt: outcome?.finishedAt ?? null,
    };
  });
  session.share('execution_history', [...previous, ...steps].slice(-HISTORY_LIMIT));
}

/** The tools a session's context knows of: those in `tool_registry`, counted by `execution_history`. */
export function extractToolsFromContext(session: SessionContext, tools: ToolRegistry): ToolInfo[] {
  const registry = session.get<Omit<ToolInfo, 'calls'>[]>('tool_registry')?.data ?? [];
  const history = session.get<HistoryStep[]>('execution_history')?.data ?? [];
  const calls = new Map<string, number>();
  for (const step of history) if (step.attempts > 0 && step.tool !== '') calls.set(step.tool, (calls.get(step.tool) ?? 0) + 1);
  const known = new Map(registry.map((info) => [info.name, info]));
  for (const name of calls.keys()) {
    if (!known.has(name)) {
      const described = describeTools(tools).find((info) => info.name === name);
      if (described) known.set(name, described);
    }
  }
  return [...known.values()].map((info) => ({ ...info, calls: calls.get(info.name) ?? 0 }));
}
