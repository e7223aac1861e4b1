import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import type { Runtime } from '../runtime/createRuntime.js';
import type { ContextEntry } from '../actors/SessionContext.js';
import { registerMcpTool } from './registerMcpTool.js';
import type { SessionScope } from './SessionScope.js';
import { successResult } from './successResult.js';

const ShareContextInput = z.object({
  sessionId: z.string().min(1),
  contextType: z.string().min(1).describe('name of the entry, e.g. repository-analysis'),
  data: z.unknown().refine((data) => data !== undefined, 'required').describe('any JSON value'),
  ttlMs: z.number().int().positive().optional().describe('time to live; one hour by default'),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const GetContextInput = z.object({
  sessionId: z.string().min(1),
  contextType: z.string().min(1).optional().describe('one entry; all entries of the session when absent'),
});

const ContextEntrySchema = z.object({
  sessionId: z.string(),
  contextType: z.string(),
  data: z.unknown(),
  createdAt: z.number(),
  updatedAt: z.number(),
  createdByTool: z.string().optional(),
  expiresAt: z.number(),
  metadata: z.record(z.string(), z.unknown()),
  version: z.number(),
});

const ContextAnswerSchema = z.union([ContextEntrySchema, z.object({ sessionId: z.string(), entries: z.array(ContextEntrySchema) })]);

/**
 * `share_context` and `get_context`: the shared context of a session, as workflows and tools
 * see it (JSON entries with a time to live). Session ids are of the MCP session's `scope`: over
 * HTTP one MCP session cannot read or write another's entries.
 *
 * @example
 * registerContextTools(server, runtime, sessionScope(undefined));
 */
export function registerContextTools(server: McpServer, runtime: Runtime, scope: SessionScope): void {
  const answer = (entry: ContextEntry): ContextEntry => ({ ...entry, sessionId: scope.outer(entry.sessionId) });
  const description = "Writes an entry of a session's shared context (sessions are private to this MCP session)";
  registerMcpTool(server, { name: 'share_context', description, input: ShareContextInput, output: ContextEntrySchema }, async (args) => {
    // Committed to the runtime's store (if any) before memory: a store failure is this call's error.
    const entry = await runtime.shareContext(scope.inner(args.sessionId), args.contextType, args.data, {
      ...(args.ttlMs === undefined ? {} : { ttlMs: args.ttlMs }),
      ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
    });
    return successResult(answer(entry), `${args.sessionId}/${args.contextType}: version ${entry.version}, expires at ${new Date(entry.expiresAt).toISOString()}`);
  });

  const getDescription = "Reads one entry, or all entries, of a session's shared context (sessions are private to this MCP session)";
  registerMcpTool(server, { name: 'get_context', description: getDescription, input: GetContextInput, output: ContextAnswerSchema }, async ({ sessionId, contextType }) => {
    const context = runtime.context(scope.inner(sessionId));
    if (contextType === undefined) {
      const entries = context.list().map(answer);
      return successResult({ sessionId, entries }, `${sessionId}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
    }
    const entry = context.get(contextType);
    if (!entry) {
      throw new ToolError({ code: 'CONTEXT_NOT_FOUND', type: ErrorType.notFound, retryable: false, tool: 'get_context', message: `session ${sessionId} has no (unexpired) ${contextType} entry` });
    }
    return successResult(answer(entry), `${sessionId}/${contextType}: version ${entry.version}`);
  });
}
