import { InvalidArgumentError } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from 'pino';
import { createMcpServer } from '../mcp/createMcpServer.js';
import { startMcpHttpServer } from '../mcp/startMcpHttpServer.js';
import { createRuntime } from '../runtime/createRuntime.js';
import { detectCapabilities } from '../tools/detectCapabilities.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';

export interface McpCommandOptions {
  http?: boolean;
  port: number;
  host: string;
  /** Bearer token of the HTTP endpoint; `ORCHKIT_MCP_TOKEN` when not given (keeps it out of `ps`). */
  token?: string;
  workflows: string;
  logger: Logger;
}

/**
 * `orchkit mcp`: serves the tool pack, the workflow tools and the conversation over MCP, on
 * stdio (stdout is the protocol: logs go to stderr) or, with `--http`, over Streamable HTTP.
 * Runs until stdin ends (stdio), or SIGINT/SIGTERM.
 */
export async function mcpCommand(options: McpCommandOptions): Promise<ExitCode> {
  const env = await detectCapabilities();
  const runtime = createRuntime({ tools: defaultTools(), logger: options.logger, env: { ...env } });
  const workflowsDir = options.workflows;
  try {
    if (options.http) {
      const token = options.token ?? process.env['ORCHKIT_MCP_TOKEN'];
      if (token === undefined && !['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
        options.logger.warn({ host: options.host }, 'serving MCP beyond loopback without a bearer token');
      }
      const server = await startMcpHttpServer({ runtime, workflowsDir, host: options.host, port: options.port, logger: options.logger, ...(token ? { token } : {}) });
      process.stderr.write(`orchkit MCP server (Streamable HTTP) on ${server.url}${token ? ' (bearer token required)' : ''}\n`);
      await untilStopped();
      await server.close();
    } else {
      const server = createMcpServer({ runtime, workflowsDir });
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

/** Commander parser of `--port`: an integer from 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return port;
}
