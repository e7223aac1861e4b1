import type { z } from 'zod';
import { durationProblem } from '../definition/DurationSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import type { ToolContext } from './ToolContext.js';

/** What a tool declares about one of its error codes. */
export interface ToolErrorSpec {
  /** Error type, e.g. `validation_error`, `unavailable`; defaults to `execution_error`. */
  type?: string;
  /** False when no retry can fix it; defaults to true. */
  retryable?: boolean;
  description?: string;
}

/** The definition of a tool: a named async function with typed input and output. */
export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: I;
  output: O;
  errors?: Record<string, ToolErrorSpec>;
  /** Default time limit of one call, overridden by a step's `timeoutMs`. */
  timeoutMs?: number;
  /**
   * The task queue the tool runs on: a runtime enqueues its calls for a worker
   * (`createWorker({ tools, queue })`) instead of running `run` itself (needs a PostgreSQL store).
   */
  queue?: string;
  run(input: z.output<I>, ctx: ToolContext): Promise<z.input<O>>;
}

/** A tool as the runtime holds it: definition plus its declared error table. */
export interface Tool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> extends ToolDefinition<I, O> {
  readonly kind: 'orchkit.tool';
  readonly errors: Readonly<Record<string, ToolErrorSpec>>;
}

/** Any tool, whatever its schemas (`run` is a method, so specific tools are assignable). */
export type AnyTool = Tool<z.ZodType, z.ZodType>;

const TOOL_NAME = /^[a-z][a-z0-9_.-]*$/;

/**
 * Declares a tool. Input and output are validated at the boundary of every call.
 *
 * @example
 * const greet = defineTool({
 *   name: 'greet', description: 'Says hello',
 *   input: z.object({ name: z.string() }), output: z.object({ text: z.string() }),
 *   run: async ({ name }) => ({ text: `hello ${name}` }),
 * });
 */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(definition: ToolDefinition<I, O>): Tool<I, O> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new RuntimeError('INVALID_OPTION', `tool name "${definition.name}" must be lower case: letters, digits, "_", "-", "."`);
  }
  if (typeof definition.run !== 'function') {
    throw new RuntimeError('INVALID_OPTION', `tool "${definition.name}" has no run function`);
  }
  const timeoutProblem = definition.timeoutMs === undefined ? undefined : durationProblem(definition.timeoutMs);
  if (timeoutProblem !== undefined) {
    throw new RuntimeError('INVALID_OPTION', `timeoutMs of tool "${definition.name}" ${timeoutProblem} (got ${definition.timeoutMs})`);
  }
  return Object.freeze({ ...definition, kind: 'orchkit.tool' as const, errors: Object.freeze({ ...definition.errors }) });
}
