import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Runtime } from '../runtime/createRuntime.js';
import { forwardProgress } from './forwardProgress.js';
import { registerMcpTool } from './registerMcpTool.js';
import { successResult } from './successResult.js';

/**
 * Exposes every tool registered in the runtime as an MCP tool of the same name: its zod input
 * schema as JSON Schema, a call through `runtime.callTool` (input and output validated, the
 * tool's time limit, the client's cancellation as the abort signal), `tool.progress` reports
 * as progress notifications.
 *
 * @example
 * registerRuntimeTools(server, runtime);
 */
export function registerRuntimeTools(server: McpServer, runtime: Runtime): void {
  for (const tool of runtime.tools.list()) {
    const spec = { name: tool.name, description: tool.description, input: tool.input, validate: false };
    registerMcpTool(server, spec, async (args, extra) => {
      const correlationId = randomUUID();
      const progress = forwardProgress(runtime.bus, correlationId, extra);
      try {
        const output = await runtime.callTool(tool.name, args, { correlationId, signal: extra.signal });
        return successResult(output, `${tool.name} succeeded`);
      } finally {
        await progress.stop();
      }
    });
  }
}
