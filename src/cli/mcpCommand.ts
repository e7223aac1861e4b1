import { InvalidArgumentError } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from 'pino';
import { createMcpServer } from '../mcp/createMcpServer.js';
import { startMcpHttpServer } from '../mcp/startMcpHttpServer.js';
import { createRuntime, type Runtime } from '../runtime/createRuntime.js';
import { detectCapabilities } from '../tools/detectCapabilities.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';
import { registerWorkflowDir } from './registerWorkflowDir.js';

export interface McpCommandOptions {
  http?: boolean;
  port: number;
  host: string;
  /** Bearer token of the HTTP endpoint; `ORCHKIT_MCP_TOKEN` when not given (keeps it out of `ps`). */
  token?: string;
  workflows: string;
  /** Files given to tools and execute_workflow must lie under it; the working directory by default. */
  workspace?: string;
  /** HTTP sessions idle this long are closed. */
  sessionIdleMs?: number;
  /** HTTP sessions open at once. */
  maxSessions?: number;
  /** Browser origins allowed besides the server's own. */
  allowedOrigin?: string[];
  /** Execution store URL; `false` keeps runs in memory only (no pause/resume, no status after a restart). */
  store: string | false;
  logger: Logger;
}

/**
 * `orchkit mcp`: serves the tool pack, the workflow tools and the conversation over MCP, on
 * stdio (stdout is the protocol: logs go to stderr) or, with `--http`, over Streamable HTTP.
 * Runs are journaled in the store (the embedded SQLite file by default): on start the server
 * takes up the runs left running, and status, pause and resume outlive it. Runs until stdin
 * ends (stdio), or SIGINT/SIGTERM; runs still going are then suspended for the next start.
 */
export async function mcpCommand(options: McpCommandOptions): Promise<ExitCode> {
  const env = await detectCapabilities();
  const runtime = createRuntime({ tools: defaultTools(), logger: options.logger, env: { ...env }, ...(options.store === false ? {} : { store: options.store }) });
  const workflowsDir = options.workflows;
  try {
    // Registered, they run by id (execute_workflow { workflowId }) and as workflow steps; a file that
    // does not register is logged, and list_workflows shows its problems.
    const { problems } = await registerWorkflowDir(runtime, workflowsDir);
    for (const problem of problems) if (problem.code !== 'DIRECTORY_UNREADABLE') options.logger.warn({ file: problem.file, code: problem.code, issues: problem.issues }, 'workflow file not registered');
    if (runtime.store) await resumeLeftRunning(runtime, options.logger);
    if (options.http) {
      const token = options.token ?? process.env['ORCHKIT_MCP_TOKEN'];
      if (token === undefined && !['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
        options.logger.warn({ host: options.host }, 'serving MCP beyond loopback without a bearer token');
      }
      const server = await startMcpHttpServer({
        runtime, workflowsDir, host: options.host, port: options.port, logger: options.logger,
        ...(token ? { token } : {}),
        ...(options.workspace === undefined ? {} : { workspaceRoot: options.workspace }),
        ...(options.sessionIdleMs === undefined ? {} : { sessionIdleMs: options.sessionIdleMs }),
        ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
        ...(options.allowedOrigin === undefined ? {} : { allowedOrigins: options.allowedOrigin }),
      });
      process.stderr.write(`orchkit MCP server (Streamable HTTP) on ${server.url}${token ? ' (bearer token required)' : ''}\n`);
      await untilStopped();
      await server.close();
    } else {
      const server = createMcpServer({ runtime, workflowsDir, ...(options.workspace === undefined ? {} : { workspaceRoot: options.workspace }) });
      const closed = new Promise<void>((resolve) => (server.server.onclose = resolve));
      await server.connect(new StdioServerTransport());
      options.logger.info('MCP server on stdio');
      await Promise.race([closed, untilStopped(), new Promise((resolve) => process.stdin.once('end', resolve))]);
      await server.close();
      process.stdin.destroy();
    }
    return ExitCode.ok;
  } finally {
    await runtime.stop();
  }
}

/** Takes up the runs a stopped or crashed server left running, and loads the stored shared context. */
async function resumeLeftRunning(runtime: Runtime, logger: Logger): Promise<void> {
  await runtime.loadContext();
  let resumed = 0;
  for (let claimed = await runtime.resume({ limit: 100 }); claimed.length > 0; claimed = await runtime.resume({ limit: 100 })) resumed += claimed.length;
  if (resumed > 0) logger.info({ resumed }, 'resumed runs left running');
}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Commander parser of a positive whole number (`--max-sessions`, `--session-idle-ms`). */
export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number, at least 1');
  return n;
}

/** Commander parser of `--port`: an integer from 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return port;
}
