import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import type { Runtime } from '../runtime/createRuntime.js';
import { registerMcpTool } from './registerMcpTool.js';
import { successResult } from './successResult.js';

const ShareContextInput = z.object({
  sessionId: z.string().min(1),
  contextType: z.string().min(1).describe('name of the entry, e.g. repository-analysis'),
  data: z.unknown().refine((data) => data !== undefined, 'data is required').describe('any JSON value'),
  ttlMs: z.number().int().positive().optional().describe('time to live; one hour by default'),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const GetContextInput = z.object({
  sessionId: z.string().min(1),
  contextType: z.string().min(1).optional().describe('one entry; all entries of the session when absent'),
});

/**
 * `share_context` and `get_context`: the shared context of a session, as workflows and tools
 * see it (JSON entries with a time to live).
 *
 * @example
 * registerContextTools(server, runtime);
 */
export function registerContextTools(server: McpServer, runtime: Runtime): void {
  registerMcpTool(server, { name: 'share_context', description: "Writes an entry of a session's shared context", input: ShareContextInput }, async (args) => {
    const entry = runtime.context(args.sessionId).share(args.contextType, args.data, {
      ...(args.ttlMs === undefined ? {} : { ttlMs: args.ttlMs }),
      ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
    });
    return successResult(entry, `${args.sessionId}/${args.contextType}: version ${entry.version}, expires at ${new Date(entry.expiresAt).toISOString()}`);
  });

  registerMcpTool(server, { name: 'get_context', description: "Reads one entry, or all entries, of a session's shared context", input: GetContextInput }, async ({ sessionId, contextType }) => {
    const context = runtime.context(sessionId);
    if (contextType === undefined) {
      const entries = context.list();
      return successResult({ sessionId, entries }, `${sessionId}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
    }
    const entry = context.get(contextType);
    if (!entry) {
      throw new ToolError({ code: 'CONTEXT_NOT_FOUND', type: ErrorType.notFound, retryable: false, tool: 'get_context', message: `session ${sessionId} has no (unexpired) ${contextType} entry` });
    }
    return successResult(entry, `${sessionId}/${contextType}: version ${entry.version}`);
  });
}
