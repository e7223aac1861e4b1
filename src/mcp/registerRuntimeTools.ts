import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Runtime } from '../runtime/createRuntime.js';
import { isObjectSchema } from './advertisedSchema.js';
import { forwardProgress } from './forwardProgress.js';
import { registerMcpTool } from './registerMcpTool.js';
import { resolveInWorkspace } from './resolveInWorkspace.js';
import { successResult } from './successResult.js';

/** Top-level arguments of the tool pack that name files or directories: they must stay in the workspace. */
export const PATH_ARGUMENTS = ['path', 'outputDir', 'configPath'] as const;

/**
 * Exposes every tool registered in the runtime as an MCP tool of the same name: its zod input
 * schema as JSON Schema, its output schema as `outputSchema`, a call through `runtime.callTool`
 * (input and output validated, the tool's time limit, the client's cancellation as the abort
 * signal), `tool.progress` reports as progress notifications. String arguments named in
 * {@link PATH_ARGUMENTS} are resolved inside `workspaceRoot` (escapes are `PATH_OUTSIDE_WORKSPACE`).
 *
 * @example
 * registerRuntimeTools(server, runtime, process.cwd());
 */
export function registerRuntimeTools(server: McpServer, runtime: Runtime, workspaceRoot: string): void {
  for (const tool of runtime.tools.list()) {
    const wrap = !isObjectSchema(tool.output);
    const spec = { name: tool.name, description: tool.description, input: tool.input, output: tool.output, raw: true };
    registerMcpTool(server, spec, async (args, extra) => {
      const input = await confinePaths(args, workspaceRoot, tool.name);
      const correlationId = randomUUID();
      const progress = forwardProgress(runtime.bus, correlationId, extra);
      try {
        const output = await runtime.callTool(tool.name, input, { correlationId, signal: extra.signal, workspaceRoot });
        return successResult(wrap ? { result: output ?? null } : output, `${tool.name} succeeded`);
      } finally {
        await progress.stop();
      }
    });
  }
}

async function confinePaths(args: unknown, root: string, tool: string): Promise<unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  const confined: Record<string, unknown> = { ...(args as Record<string, unknown>) };
  for (const key of PATH_ARGUMENTS) {
    const value = confined[key];
    if (typeof value === 'string' && value !== '') confined[key] = await resolveInWorkspace(root, value, tool, key);
  }
  return confined;
}
