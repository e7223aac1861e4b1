import type { Logger } from 'pino';
import type { SessionContext } from './SessionContext.js';
import type { RetryPolicy } from '../definition/WorkflowDefinitionSchema.js';

/** Options of a tool-to-tool request. */
export interface ToolRequestOptions {
  timeoutMs?: number;
  /** Defaults to the calling tool's signal, so a cancelled caller cancels its requests. */
  signal?: AbortSignal;
  /** Retries of retryable failures; 4 attempts with exponential backoff and full jitter by default. */
  retry?: RetryPolicy | false;
}

/** A progress report from a running tool, published on the bus. */
export interface ToolProgress {
  /** Fraction done, 0..1, when known. */
  fraction?: number;
  message?: string;
}

/** What a tool receives besides its input. */
export interface ToolContext {
  /** Aborted when the step is cancelled or times out. */
  readonly signal: AbortSignal;
  /** pino child logger carrying executionId, stepId, correlationId and tool. */
  readonly logger: Logger;
  readonly sessionId: string;
  readonly executionId: string;
  readonly correlationId: string;
  readonly stepId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Stable across attempts and resumes of the same step: use it to deduplicate side effects. */
  readonly idempotencyKey: string;
  /** The shared context of this session. */
  readonly context: SessionContext;
  /** Calls another tool through the runtime, with its schemas and policies. */
  request<T = unknown>(tool: string, input: unknown, options?: ToolRequestOptions): Promise<T>;
  /** Reports progress of a long call. */
  progress(update: ToolProgress): void;
  /**
   * The absolute path to use for a path in the tool's input: inside the workspace root of the
   * runtime or run when there is one (`createRuntime({ workspaceRoot })`, MCP), else resolved
   * against the working directory. A path that leaves the root fails with `PATH_OUTSIDE_WORKSPACE`.
   * `argument` names the input field in that error (`path` by default).
   *
   * @example
   * const root = await ctx.resolvePath(input.path);
   */
  resolvePath(path: string, argument?: string): Promise<string>;
}
