import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Runtime } from '../runtime/createRuntime.js';
import { registerMcpTool } from './registerMcpTool.js';
import { successResult } from './successResult.js';

const TickSchema = z.object({
  scheduleId: z.string(),
  kind: z.enum(['cron', 'manual']),
  tickAt: z.number(),
  status: z.string(),
  node: z.string().nullable(),
  executionId: z.string().nullable(),
  recordedAt: z.number(),
});

const ScheduleStateSchema = z.object({
  scheduleId: z.string(),
  workflowId: z.string(),
  cron: z.string(),
  timezone: z.string(),
  overlap: z.enum(['skip', 'queue', 'allow']),
  catchUp: z.enum(['latest', 'all', 'none']),
  paused: z.boolean(),
  registeredAt: z.number(),
  updatedAt: z.number(),
  lastTick: TickSchema.optional(),
  lastCronTickAt: z.number().optional(),
});

/**
 * `list_schedules`: the schedules of the runtime's store (every node's on PostgreSQL), each with
 * its cron, time zone, overlap and catch-up policies, pause flag and latest tick.
 *
 * @example
 * registerScheduleTools(server, runtime);
 */
export function registerScheduleTools(server: McpServer, runtime: Runtime): void {
  const description = 'Lists the workflow schedules: cron, time zone, overlap and catch-up policy, paused or not, and the latest tick (with the run it started)';
  const spec = { name: 'list_schedules', description, input: z.object({}), output: z.object({ schedules: z.array(ScheduleStateSchema) }), annotations: { readOnlyHint: true } };
  registerMcpTool(server, spec, async () => {
    const schedules = await runtime.schedules.list();
    const summary = schedules.length === 0 ? 'no schedules' : schedules.map((s) => `${s.scheduleId} (${s.cron} ${s.timezone}${s.paused ? ', paused' : ''})`).join(', ');
    return successResult({ schedules }, summary);
  });
}
