import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTools } from '../src/cli/defaultTools.js';
import { createRuntime, type Runtime } from '../src/index.js';
import { createMcpServer } from '../src/mcp/createMcpServer.js';
import { createHold, heldWorkflow as definition } from './support/heldWorkflow.js';

const structured = <T>(result: unknown): T => (result as CallToolResult).structuredContent as T;

describe('MCP workflow controls backed by the execution store', () => {
  let dir: string;
  let runtime: Runtime;
  let client: Client;
  const hold = createHold();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orchkit-mcp-controls-'));
    runtime = createRuntime({ tools: [hold.tool], store: `sqlite:${join(dir, 'runs.db')}`, leaseMs: 2_000 });
    const server = createMcpServer({ runtime });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'orchkit-test', version: '1.0.0' });
    await client.connect(clientSide);
  });
  afterAll(async () => {
    await client.close();
    await runtime.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> => structured<T>(await client.callTool({ name, arguments: args }));
  const status = (executionId: string) => call<{ status: string; steps: Record<string, { status: string }>; owner: string | null; result: unknown }>('get_workflow_status', { executionId });

  it('pauses a run mid-way (the waiting execute_workflow answers "paused"), reports it from the store, and resumes it', async () => {
    const waiting = call<{ executionId: string; status: string }>('execute_workflow', { definition });
    await expect.poll(() => hold.calls.includes('b#1')).toBe(true);
    const [execution] = runtime.executions();
    const executionId = execution?.executionId as string;

    expect(await call('pause_workflow', { executionId })).toMatchObject({ executionId, status: 'paused', owner: null });
    expect(await waiting).toMatchObject({ executionId, status: 'paused', reason: 'paused' });
    expect(await status(executionId)).toMatchObject({ status: 'paused', steps: { a: { status: 'completed' }, b: { status: 'running' }, c: { status: 'pending' } } });

    hold.open();
    expect(await call('resume_workflow', { executionId })).toMatchObject({ executionId, workflowId: 'held', status: 'running' });
    await expect.poll(async () => (await status(executionId)).status).toBe('completed');
    expect((await status(executionId)).result).toMatchObject({ status: 'completed', output: { n: 4 } });
    expect(hold.calls).toEqual(['a#1', 'b#1', 'b#1', 'c#1']); // b was running when paused: it ran again
    expect(await call('resume_workflow', { executionId })).toMatchObject({ error: { code: 'EXECUTION_FINISHED' } });
    expect(await call('pause_workflow', { executionId })).toMatchObject({ error: { code: 'STORE_CONFLICT' } });
  });

  it('cancels a paused run through the store; unknown ids are EXECUTION_NOT_FOUND', async () => {
    hold.reset();
    const started = await call<{ executionId: string }>('execute_workflow', { definition, wait: false });
    await expect.poll(() => hold.calls.includes('b#1')).toBe(true);
    await call('pause_workflow', { executionId: started.executionId });
    expect(await call('cancel_workflow', { executionId: started.executionId })).toMatchObject({ status: 'cancelled' });
    expect(await call('resume_workflow', { executionId: started.executionId })).toMatchObject({ error: { code: 'EXECUTION_FINISHED' } });
    expect(await call('get_workflow_status', { executionId: 'nope' })).toMatchObject({ error: { code: 'EXECUTION_NOT_FOUND' } });
    expect(await call('pause_workflow', { executionId: 'nope' })).toMatchObject({ error: { code: 'EXECUTION_NOT_FOUND' } });
    expect(await call('resume_workflow', { executionId: 'nope' })).toMatchObject({ error: { code: 'EXECUTION_NOT_FOUND' } });
    hold.open();
  });
});

describe('a chat conversation outlives the MCP server (its snapshot is stored shared context)', () => {
  it('a second server on the same store continues the conversation where the first stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orchkit-mcp-chat-'));
    const repo = join(dir, 'app');
    await cp(join(import.meta.dirname, '..', 'examples', 'apps', 'go-http'), repo, { recursive: true });
    const store = `sqlite:${join(dir, 'runs.db')}`;
    const serve = async (): Promise<{ runtime: Runtime; client: Client }> => {
      const runtime = createRuntime({ tools: defaultTools(), store, env: { docker: false, trivy: false } });
      await runtime.loadContext();
      const server = createMcpServer({ runtime, chat: { capabilities: async () => ({ docker: false, trivy: false, kubectl: false, details: {} }) } });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const client = new Client({ name: 'orchkit-test', version: '1.0.0' });
      await client.connect(clientSide);
      return { runtime, client };
    };
    const say = async (client: Client, message: string) => structured<{ stage: string }>(await client.callTool({ name: 'chat', arguments: { sessionId: 'conv', message } }));
    try {
      const first = await serve();
      expect(await say(first.client, 'hello')).toMatchObject({ stage: 'welcome' });
      expect(await say(first.client, repo)).toMatchObject({ stage: 'preflight' });
      await first.client.close();
      await first.runtime.stop();

      const second = await serve();
      expect(await say(second.client, 'continue')).toMatchObject({ stage: 'analysis' });
      await second.client.close();
      await second.runtime.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
