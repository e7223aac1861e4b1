import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { didYouMean } from '../definition/didYouMean.js';
import { formatPath } from '../definition/formatPath.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { advertisedOutput, advertisedSchema } from './advertisedSchema.js';
import { errorResult } from './errorResult.js';

/** What an MCP tool handler receives besides its arguments (abort signal, progress token, notifications). */
export type McpRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** One MCP tool of the orchkit server. */
export interface McpToolSpec<S extends z.ZodType> {
  name: string;
  description: string;
  input: S;
  /** What a successful call's `structuredContent` holds; advertised as `outputSchema`. */
  output: z.ZodType;
  /** True: the handler gets the arguments as they came, once they are checked (the runtime parses tool input itself). */
  raw?: boolean;
  annotations?: ToolAnnotations;
}

/**
 * Registers a tool whose failures are results, never protocol errors or crashes: invalid
 * arguments give an `INPUT_INVALID` result with the path of each problem (a missing one says
 * `required`, an unknown one names the argument meant), and whatever the handler throws becomes
 * an {@link errorResult}. The tool advertises its input with `additionalProperties: false` and
 * its output as `outputSchema`.
 *
 * @example
 * registerMcpTool(server, { name: 'get_context', description, input: z.object({ sessionId: z.string() }), output: ContextEntrySchema }, async (args) => successResult(...));
 */
export function registerMcpTool<S extends z.ZodType>(
  server: McpServer,
  spec: McpToolSpec<S>,
  handler: (args: z.output<S>, extra: McpRequestExtra) => Promise<CallToolResult>,
): void {
  const config = {
    description: spec.description,
    inputSchema: advertisedSchema(spec.input),
    outputSchema: advertisedOutput(spec.output),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  };
  server.registerTool(spec.name, config, async (args, extra) => {
    try {
      const unknown = unknownArguments(spec.input, args);
      const parsed = spec.input.safeParse(args);
      if (unknown.length > 0 || !parsed.success) return errorResult(inputError(spec.name, [...unknown, ...(parsed.success ? [] : describeIssues(parsed.error, args))]));
      return await handler(spec.raw ? (args as z.output<S>) : parsed.data, extra);
    } catch (error) {
      return errorResult(error);
    }
  });
}

interface ArgumentIssue {
  path: string;
  message: string;
}

/** Top-level arguments the input object does not declare (the advertised schema says `additionalProperties: false`). */
function unknownArguments(schema: z.ZodType, args: unknown): ArgumentIssue[] {
  if (!(schema instanceof z.ZodObject) || typeof args !== 'object' || args === null) return [];
  const known = Object.keys(schema.shape);
  return Object.keys(args)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const meant = didYouMean(key.slice(0, 64), known);
      return { path: key, message: `unknown argument "${key.slice(0, 64)}"${meant ? ` (did you mean "${meant}"?)` : ''}; expected ${known.join(', ') || 'none'}` };
    });
}

/** Zod's issues, where an argument that is absent says `required` rather than "expected string, received undefined". */
function describeIssues(error: z.ZodError, args: unknown): ArgumentIssue[] {
  return error.issues.map((issue) => {
    const missing = issue.code === 'invalid_type' && valueAt(args, issue.path) === undefined;
    return { path: formatPath(issue.path), message: missing ? `required (${issue.expected})` : issue.message };
  });
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

function inputError(tool: string, issues: ArgumentIssue[]): ToolError {
  const first = issues[0];
  return new ToolError({
    code: 'INPUT_INVALID', type: ErrorType.validation, retryable: false, tool,
    message: `${tool}: invalid input at ${first?.path || '<root>'}: ${first?.message ?? 'does not match the schema'}`,
    details: { issues },
  });
}
