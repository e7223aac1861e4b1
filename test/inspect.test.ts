import { get } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { createRuntime, defineTool, ToolError, type Runtime } from '../src/index.js';
import { startStatelyInspector, type StatelyInspector } from '../src/inspect/startStatelyInspector.js';
import { until } from './support/until.js';

interface InspectionMessage {
  type: string;
  sessionId: string;
  name?: string;
  parentId?: string;
  event?: { type: string };
  snapshot?: { status?: string; value?: unknown };
}

const echo = defineTool({
  name: 'echo',
  description: 'returns its text',
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  run: async ({ text }) => ({ text }),
});

const build = defineTool({
  name: 'build_like',
  description: 'asks echo for a tag, fails with DOCKERFILE_INVALID until the base image is pinned',
  input: z.object({ dockerfile: z.string() }),
  output: z.object({ image: z.string() }),
  errors: { DOCKERFILE_INVALID: { type: 'validation_error', retryable: false } },
  run: async ({ dockerfile }, ctx) => {
    const { text } = await ctx.request<{ text: string }>('echo', { text: 'app:1' });
    if (dockerfile.includes(':latest')) throw new ToolError({ code: 'DOCKERFILE_INVALID', message: 'FROM uses latest' });
    return { image: text };
  },
});

const fix = defineTool({
  name: 'fix_dockerfile',
  description: 'pins the base image',
  input: z.object({ failure: z.object({ code: z.string() }), originalInput: z.object({ dockerfile: z.string() }) }),
  output: z.object({ action: z.enum(['retry', 'resolved', 'escalate']), patchedInput: z.record(z.string(), z.unknown()).optional(), reason: z.string() }),
  run: async ({ originalInput }) => ({ action: 'retry' as const, patchedInput: { dockerfile: originalInput.dockerfile.replace(':latest', ':22') }, reason: 'pinned' }),
});

/** A real WebSocket client of the relay, collecting what it receives. */
async function connectViewer(url: string): Promise<{ socket: WebSocket; messages: InspectionMessage[] }> {
  const socket = new WebSocket(url);
  const messages: InspectionMessage[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as InspectionMessage));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages };
}

/** GET with a forged Host header (fetch does not allow setting it), as after DNS rebinding. */
function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once('error', reject);
  });
}

describe('orchkit run --inspect: Stately inspector over a loopback relay', () => {
  let inspector: StatelyInspector | undefined;
  let runtime: Runtime | undefined;
  let viewer: WebSocket | undefined;
  afterEach(async () => {
    await runtime?.stop();
    viewer?.close();
    await inspector?.stop();
    inspector = undefined;
    runtime = undefined;
    viewer = undefined;
  });

  it('serves on 127.0.0.1 and a WebSocket client receives actor, snapshot and event messages for the workflow, its tool actors and the supervisor', async () => {
    inspector = await startStatelyInspector({ port: 0 });
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(inspector.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const client = await connectViewer(inspector.wsUrl);
    viewer = client.socket;

    runtime = createRuntime({
      tools: [echo, build, fix],
      inspect: inspector.inspect,
      routingRules: [{ fromTool: 'build_like', errorCodes: ['DOCKERFILE_INVALID'], toTool: 'fix_dockerfile', description: 'pin base images' }],
    });
    const execution = runtime.startWorkflow({ id: 'inspected', steps: [{ id: 'build', tool: 'build_like', input: { dockerfile: 'FROM node:latest' } }] });
    const result = await execution.result;
    expect(result.status).toBe('completed');
    expect(result.steps['build']?.routedTo).toEqual(['fix_dockerfile']);

    const workflowId = execution.actor.sessionId;
    const supervisorId = runtime.supervisor.actor.sessionId;
    const kinds = (sessionId: string): Set<string> => new Set(client.messages.filter((m) => m.sessionId === sessionId).map((m) => m.type));
    const all = ['@xstate.actor', '@xstate.snapshot', '@xstate.event'];
    const complete = (sessionId: string): boolean => all.every((type) => kinds(sessionId).has(type));
    // The step's invoked tool actor is a child of the workflow actor; `ctx.request` calls run as
    // root tool actors of a promise, which have no name (runToolActor); the remediation is one
    // actor, the supervisor's child, in which its tool runs.
    const stepActors = (): string[] => client.messages.filter((m) => m.type === '@xstate.actor' && m.parentId === workflowId && m.name === 'build').map((m) => m.sessionId);
    const rootToolActors = (): string[] =>
      client.messages
        .filter((m) => m.type === '@xstate.actor' && m.parentId === undefined && m.name === undefined)
        .map((m) => m.sessionId);
    const remediations = (): string[] => client.messages.filter((m) => m.type === '@xstate.actor' && m.parentId === supervisorId).map((m) => m.sessionId);
    const snapshots = (sessionId: string | undefined): NonNullable<InspectionMessage['snapshot']>[] =>
      client.messages.flatMap((m) => (m.sessionId === sessionId && m.type === '@xstate.snapshot' && m.snapshot ? [m.snapshot] : []));
    await until(
      'inspection messages of every actor',
      () =>
        complete(workflowId) &&
        complete(supervisorId) &&
        stepActors().filter(complete).length === 2 &&
        rootToolActors().filter(complete).length >= 2 &&
        remediations().filter(complete).length === 1 &&
        snapshots(workflowId).some((snapshot) => snapshot.value === 'completed'),
    );

    expect(kinds(workflowId)).toEqual(new Set(all));
    expect(kinds(supervisorId)).toEqual(new Set(all));
    expect(client.messages.find((m) => m.type === '@xstate.actor' && m.sessionId === supervisorId)?.name).toBe('supervisor');
    expect(client.messages.find((m) => m.type === '@xstate.actor' && m.sessionId === workflowId)?.name).toBe(execution.executionId);
    // Two attempts of the step, each its own invoked actor named after the step: the first fails
    // (DOCKERFILE_INVALID), the supervisor routes it (ROUTE), the second succeeds.
    const [first, second] = stepActors();
    expect(stepActors()).toHaveLength(2);
    expect(snapshots(first).map((snapshot) => snapshot.status)).toContain('error');
    expect(snapshots(second).map((snapshot) => snapshot.status)).toContain('done');
    expect(client.messages.some((m) => m.sessionId === supervisorId && m.type === '@xstate.event' && m.event?.type === 'ROUTE')).toBe(true);
    expect(snapshots(supervisorId).map((snapshot) => snapshot.value)).toContain('routing');
    // Root tool actors: the two `ctx.request('echo')` calls; the remediation ran in its one actor.
    expect(rootToolActors().filter((id) => snapshots(id).some((snapshot) => snapshot.status === 'done'))).toHaveLength(2);
    const [remediation] = remediations();
    expect(remediations()).toHaveLength(1);
    expect(snapshots(remediation).map((snapshot) => snapshot.status)).toContain('done');
  });

  it('replays earlier messages to a viewer that connects after the run', async () => {
    inspector = await startStatelyInspector({ port: 0 });
    runtime = createRuntime({ tools: [echo], inspect: inspector.inspect });
    const execution = runtime.startWorkflow({ id: 'late', steps: [{ id: 'say', tool: 'echo', input: { text: 'hi' } }] });
    await execution.result;
    // Inspection events leave on a timer of the inspector; give them a moment to reach the relay.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const client = await connectViewer(inspector.wsUrl);
    viewer = client.socket;
    await until('replayed snapshots', () => client.messages.some((m) => m.sessionId === execution.actor.sessionId && m.type === '@xstate.snapshot'));
    expect(client.messages.some((m) => m.sessionId === execution.actor.sessionId && m.type === '@xstate.actor')).toBe(true);
  });

  it('refuses WebSocket upgrades from other web origins and serves the bridge page only to its own host', async () => {
    inspector = await startStatelyInspector({ port: 0 });
    const foreign = new WebSocket(inspector.wsUrl, { origin: 'https://evil.example' });
    const refused = await new Promise<string>((resolve) => {
      foreign.once('open', () => resolve('open'));
      foreign.once('error', (error) => resolve(error.message));
    });
    expect(refused).toMatch(/403/);
    const page = await fetch(inspector.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('https://stately.ai/inspect');
    expect(await statusWithHost(inspector.url, 'attacker.example')).toBe(403);
  });

  // Leak check: no server, socket, child process or timer of ours outlives the tests (vitest's
  // own timers come and go, so no kind of resource may be more numerous than before).
  const handles = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const resource of process.getActiveResourcesInfo()) counts[resource] = (counts[resource] ?? 0) + 1;
    return counts;
  };
  let before: Record<string, number> = {};
  beforeAll(() => {
    before = handles();
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const extra = Object.entries(handles()).filter(([resource, count]) => count > (before[resource] ?? 0));
    expect(extra).toEqual([]);
  });
});
