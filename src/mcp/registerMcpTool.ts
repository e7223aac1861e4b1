import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { formatPath } from '../definition/formatPath.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { advertisedSchema } from './advertisedSchema.js';
import { errorResult } from './errorResult.js';

/** What an MCP tool handler receives besides its arguments (abort signal, progress token, notifications). */
export type McpRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** One MCP tool of the orchkit server. */
export interface McpToolSpec<S extends z.ZodType> {
  name: string;
  description: string;
  input: S;
  /** False: the handler gets the arguments as they came (the runtime validates tool input itself). */
  validate?: boolean;
  annotations?: ToolAnnotations;
}

/**
 * Registers a tool whose failures are results, never protocol errors or crashes: invalid
 * arguments give an `INPUT_INVALID` result with the zod path of each problem, and whatever the
 * handler throws becomes an {@link errorResult}.
 *
 * @example
 * registerMcpTool(server, { name: 'get_context', description, input: z.object({ sessionId: z.string() }) }, async (args) => successResult(...));
 */
export function registerMcpTool<S extends z.ZodType>(
  server: McpServer,
  spec: McpToolSpec<S>,
  handler: (args: z.output<S>, extra: McpRequestExtra) => Promise<CallToolResult>,
): void {
  const config = { description: spec.description, inputSchema: advertisedSchema(spec.input), ...(spec.annotations ? { annotations: spec.annotations } : {}) };
  server.registerTool(spec.name, config, async (args, extra) => {
    try {
      if (spec.validate === false) return await handler(args as z.output<S>, extra);
      const parsed = spec.input.safeParse(args);
      if (!parsed.success) return errorResult(inputError(spec.name, parsed.error));
      return await handler(parsed.data, extra);
    } catch (error) {
      return errorResult(error);
    }
  });
}

function inputError(tool: string, error: z.ZodError): ToolError {
  const issues = error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const first = issues[0];
  return new ToolError({
    code: 'INPUT_INVALID', type: ErrorType.validation, retryable: false, tool,
    message: `${tool}: invalid input at ${first?.path || '<root>'}: ${first?.message ?? 'does not match the schema'}`,
    details: { issues },
  });
}
