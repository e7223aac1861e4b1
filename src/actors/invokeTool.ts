import type { z } from 'zod';
import { ErrorType } from '../errors/ErrorInfo.js';
import { isToolError, ToolError } from '../errors/ToolError.js';
import { formatPath } from '../definition/formatPath.js';
import { toJsonData } from '../definition/toJsonData.js';
import type { AnyTool } from './defineTool.js';
import type { ToolContext } from './ToolContext.js';

/**
 * Runs one tool call with its boundary checks: input and output validated by the tool's
 * schemas, the output copied as JSON data (`OUTPUT_NOT_JSON` otherwise), and every failure turned into a `ToolError` whose `type`/`retryable` default
 * from the tool's declared errors. A throw that is not a `ToolError` is a crash
 * (`TOOL_CRASHED`, retryable); an abort is `CANCELLED`.
 *
 * @example
 * const output = await invokeTool(greet, { name: 'Ada' }, ctx);
 */
export async function invokeTool(tool: AnyTool, input: unknown, ctx: ToolContext): Promise<unknown> {
  const parsedInput = tool.input.safeParse(input);
  if (!parsedInput.success) throw schemaError(tool, 'INPUT_INVALID', 'input', parsedInput.error);
  let output: unknown;
  try {
    output = await tool.run(parsedInput.data, ctx);
  } catch (error) {
    throw normalizeToolFailure(tool, error, ctx.signal);
  }
  const parsedOutput = tool.output.safeParse(output);
  if (!parsedOutput.success) throw schemaError(tool, 'OUTPUT_INVALID', 'output', parsedOutput.error);
  return jsonOutput(tool, parsedOutput.data);
}

/**
 * The output as JSON data: a frozen copy in plain objects whose `__proto__`/`constructor` keys
 * are own keys. An output that is not JSON (a cycle, a BigInt, a function, a class instance)
 * fails the call with `OUTPUT_NOT_JSON` rather than reach the run's result and its store.
 */
function jsonOutput(tool: AnyTool, output: unknown): unknown {
  if (output === undefined) return undefined;
  return toJsonData(output, 'output', Number.POSITIVE_INFINITY, (_problem, message, path) =>
    new ToolError({
      code: 'OUTPUT_NOT_JSON',
      type: ErrorType.validation,
      retryable: false,
      tool: tool.name,
      message: `${tool.name}: the output is not JSON data: ${message}`,
      details: { path },
    }),
  ).value;
}

function schemaError(tool: AnyTool, code: string, side: 'input' | 'output', error: z.ZodError): ToolError {
  const issues = error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const first = issues[0];
  return new ToolError({
    code,
    type: ErrorType.validation,
    retryable: false,
    tool: tool.name,
    message: `${tool.name}: invalid ${side} at ${first?.path || '<root>'}: ${first?.message ?? 'does not match the schema'}`,
    details: { issues },
  });
}

/** Fills a failure's defaults from the tool's declared errors; wraps crashes and aborts. */
export function normalizeToolFailure(tool: AnyTool, error: unknown, signal?: AbortSignal): ToolError {
  if (isToolError(error)) {
    const declared = tool.errors[error.code];
    return new ToolError({
      code: error.code,
      message: error.message,
      type: error.type !== ErrorType.execution ? error.type : (declared?.type ?? error.type),
      retryable: error.retryable ?? declared?.retryable ?? true,
      tool: error.tool ?? tool.name,
      details: error.details,
      cause: error.cause ?? error,
    });
  }
  if (signal?.aborted) {
    return new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, tool: tool.name, message: `${tool.name} was aborted`, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ToolError({ code: 'TOOL_CRASHED', type: ErrorType.crash, retryable: true, tool: tool.name, message: `${tool.name} crashed: ${message}`, cause: error });
}
