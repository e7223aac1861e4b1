import { access, cp, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultTools } from '../src/cli/defaultTools.js';
import { createRuntime, defineTool, type Runtime } from '../src/index.js';
import type { ConversationCapabilities } from '../src/conversation/conversationContext.js';
import { startMcpHttpServer, type McpHttpServer } from '../src/mcp/startMcpHttpServer.js';

const root = join(import.meta.dirname, '..');
const TOKEN = 'test-token-0123456789';
const PACK = ['analyze_repository', 'generate_dockerfile', 'validate_dockerfile', 'scan_secrets', 'generate_remediation', 'build_image', 'push_image', 'scan_image_security', 'generate_manifests', 'validate_manifests', 'validate_credentials', 'tag_image', 'resolve_base_images', 'prepare_cluster', 'deploy_application', 'verify_deployment', 'fix_dockerfile'];
const WORKFLOW_TOOLS = ['execute_workflow', 'list_workflows', 'get_workflow_status', 'pause_workflow', 'resume_workflow', 'cancel_workflow', 'signal_workflow', 'share_context', 'get_context', 'chat', 'list_schedules'];
const noDocker: ConversationCapabilities = { docker: false, trivy: false, kubectl: false, details: { docker: 'no engine (test)' } };

/** Hangs until its call is cancelled: makes "cancel mid-way" deterministic. */
const waitForAbort = defineTool({
  name: 'wait_for_abort',
  description: 'waits until cancelled (test tool)',
  input: z.object({}),
  output: z.object({}),
  run: (_input, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
});

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'orchkit-mcp-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function copyOf(app: string): Promise<string> {
  const target = await mkdtemp(join(scratch, `${app}-`));
  await cp(join(root, 'examples', 'apps', app), target, { recursive: true });
  return target;
}

/** Server flags that make `dir` the workspace root (tools' paths stay in it), with the examples as workflows. */
const confinedTo = (dir: string): string[] => ['--workspace', dir, '--workflows', join(root, 'examples')];
const structured = <T>(result: unknown): T => (result as CallToolResult).structuredContent as T;
const text = (result: unknown): string => ((result as CallToolResult).content[0] as { text: string }).text;

describe('orchkit mcp over stdio', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ name: 'orchkit-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', '--store', `sqlite:${join(scratch, 'stdio.db')}`, ...confinedTo(scratch)], cwd: root, stderr: 'pipe' }));
  });
  afterAll(async () => {
    await client.close();
  });

  it('lists the tool pack and the workflow tools, with JSON Schemas from zod', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...PACK, ...WORKFLOW_TOOLS].sort());
    expect(tools.find((tool) => tool.name === 'analyze_repository')?.inputSchema).toMatchObject({ type: 'object', properties: { path: { type: 'string', minLength: 1 } }, required: ['path'] });
  });

  it('calls analyze_repository', async () => {
    const result = await client.callTool({ name: 'analyze_repository', arguments: { path: await copyOf('node-express') } });
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toMatchObject({ language: 'node', framework: 'express' });
  });

  it('answers malformed arguments with an isError result carrying the zod path, and keeps serving', async () => {
    const bad = await client.callTool({ name: 'analyze_repository', arguments: { path: 42 } });
    expect(bad.isError).toBe(true);
    expect(structured(bad)).toMatchObject({ error: { code: 'INPUT_INVALID', type: 'validation_error', path: 'path' } });
    expect(text(bad)).toMatch(/^INPUT_INVALID \(validation_error\) at path: /);

    const badWorkflow = await client.callTool({ name: 'execute_workflow', arguments: { definition: { id: 'x', steps: [{ id: 'a', tool: 'analyse_repository' }] } } });
    expect(structured(badWorkflow)).toMatchObject({ error: { code: 'WORKFLOW_INVALID', path: 'definition.steps[0].tool' } });
    expect(structured(await client.callTool({ name: 'get_workflow_status', arguments: { executionId: 7 } }))).toMatchObject({ error: { code: 'INPUT_INVALID', path: 'executionId' } });

    const next = await client.callTool({ name: 'list_workflows', arguments: {} });
    expect(structured<{ workflows: { name: string; valid: boolean }[] }>(next).workflows).toContainEqual(expect.objectContaining({ name: 'containerize.yaml', valid: true }));
  });

  it('runs an inline workflow with a progress notification per step', async () => {
    const repo = await copyOf('python-flask');
    const definition = `id: inline\nsteps:\n  - { id: analyze, tool: analyze_repository, input: { path: "${repo}" } }\n  - { id: dockerfile, tool: generate_dockerfile, dependsOn: [analyze], input: { analysis: "\${{ steps.analyze.output }}", write: true, path: "${repo}" } }\n  - { id: lint, tool: validate_dockerfile, dependsOn: [dockerfile], input: { path: "${repo}" } }\n`;
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'execute_workflow', arguments: { definition } }, undefined, { onprogress: (p) => progress.push(p) });
    expect(structured(result)).toMatchObject({ workflowId: 'inline', status: 'completed' });
    await access(join(repo, 'Dockerfile'));
    // The SDK client runs notification handlers a microtask late, so a notification that shares a
    // read with the response can be dropped client-side: the server sent one per step.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toEqual({ progress: 1, total: 3, message: 'analyze completed' });
  });

  it('keeps runs in its store: a restarted server reports a run the first one finished', async () => {
    const store = `sqlite:${join(scratch, 'restart.db')}`;
    const connect = async (): Promise<Client> => {
      const fresh = new Client({ name: 'orchkit-test', version: '1.0.0' });
      await fresh.connect(new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', '--store', store, ...confinedTo(scratch)], cwd: root, stderr: 'pipe' }));
      return fresh;
    };
    const first = await connect();
    const repo = await copyOf('python-flask');
    const definition = { id: 'analyze-only', steps: [{ id: 'analyze', tool: 'analyze_repository', input: { path: repo } }] };
    const { executionId } = structured<{ executionId: string }>(await first.callTool({ name: 'execute_workflow', arguments: { definition } }));
    await first.close();

    const second = await connect();
    try {
      const status = await second.callTool({ name: 'get_workflow_status', arguments: { executionId } });
      expect(structured(status)).toMatchObject({ executionId, workflowId: 'analyze-only', status: 'completed', steps: { analyze: { status: 'completed', attempts: 1 } }, result: { status: 'completed' } });
    } finally {
      await second.close();
    }
  });
});

describe('orchkit MCP over Streamable HTTP (in-process)', () => {
  let runtime: Runtime;
  let server: McpHttpServer;
  let client: Client;
  beforeAll(async () => {
    runtime = createRuntime({ tools: [...defaultTools(), waitForAbort], env: { docker: false, trivy: false } });
    // The sample apps are copied to the scratch directory: it is the server's workspace root.
    server = await startMcpHttpServer({ runtime, port: 0, token: TOKEN, chat: { capabilities: async () => noDocker }, workspaceRoot: scratch, workflowsDir: join(root, 'examples') });
    client = new Client({ name: 'orchkit-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await runtime.stop();
  });

  it('binds to 127.0.0.1 and lists the runtime tools', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining([...PACK, ...WORKFLOW_TOOLS, 'wait_for_abort']));
  });

  it('runs examples/containerize.yaml on a copy of a sample app, with progress', async () => {
    const repo = await copyOf('node-express');
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'execute_workflow', arguments: { path: 'containerize.yaml', input: { repoPath: repo, appName: 'shop' } } }, undefined, { onprogress: (p) => progress.push(p) });
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toMatchObject({ workflowId: 'containerize', status: 'completed', steps: { build: { status: 'skipped' }, manifests: { status: 'completed' } } });
    await access(join(repo, 'Dockerfile'));
    await access(join(repo, 'k8s', 'deployment.yaml'));
    expect(progress.length).toBeGreaterThanOrEqual(8);
    expect(progress.every((p, i) => p.total === 10 && p.progress === i + 1)).toBe(true);
  });

  it('cancels a run mid-way with cancel_workflow; get_workflow_status follows it', async () => {
    const definition = { id: 'hang', steps: [{ id: 'wait', tool: 'wait_for_abort' }] };
    const started = structured<{ executionId: string; status: string }>(await client.callTool({ name: 'execute_workflow', arguments: { definition, wait: false } }));
    expect(started.status).toBe('running');
    const running = await client.callTool({ name: 'get_workflow_status', arguments: { executionId: started.executionId } });
    expect(structured(running)).toMatchObject({ status: 'running', steps: { wait: { status: 'running' } } });

    const cancelled = await client.callTool({ name: 'cancel_workflow', arguments: { executionId: started.executionId } });
    expect(structured(cancelled)).toMatchObject({ status: 'cancelled', steps: { wait: { status: 'cancelled' } } });
    expect(structured(await client.callTool({ name: 'get_workflow_status', arguments: { executionId: started.executionId } }))).toMatchObject({ status: 'cancelled' });
    expect(structured(await client.callTool({ name: 'cancel_workflow', arguments: { executionId: started.executionId } }))).toMatchObject({ error: { code: 'EXECUTION_FINISHED' } });
    expect(structured(await client.callTool({ name: 'get_workflow_status', arguments: { executionId: 'nope' } }))).toMatchObject({ error: { code: 'EXECUTION_NOT_FOUND' } });
  });

  it('cancels the run when the client cancels the request', async () => {
    const abort = new AbortController();
    const call = client.callTool({ name: 'execute_workflow', arguments: { definition: { id: 'hang2', steps: [{ id: 'wait', tool: 'wait_for_abort' }] } } }, undefined, { signal: abort.signal });
    await expect.poll(() => runtime.executions().length).toBe(1);
    abort.abort('user gave up');
    await expect(call).rejects.toThrow();
    await expect.poll(() => runtime.executions().length).toBe(0);
  });

  it('says NOT_SUPPORTED for pause and resume without a store, with a hint', async () => {
    for (const name of ['pause_workflow', 'resume_workflow']) {
      const result = await client.callTool({ name, arguments: { executionId: 'any' } });
      expect(result.isError).toBe(true);
      expect(structured(result)).toMatchObject({ error: { code: 'NOT_SUPPORTED', type: 'unavailable', hint: expect.stringContaining('--store') } });
    }
  });

  it('shares and reads session context', async () => {
    await client.callTool({ name: 'share_context', arguments: { sessionId: 'ctx', contextType: 'note', data: { a: 1 }, ttlMs: 60_000 } });
    expect(structured(await client.callTool({ name: 'get_context', arguments: { sessionId: 'ctx', contextType: 'note' } }))).toMatchObject({ data: { a: 1 }, version: 1 });
    expect(structured(await client.callTool({ name: 'get_context', arguments: { sessionId: 'ctx', contextType: 'missing' } }))).toMatchObject({ error: { code: 'CONTEXT_NOT_FOUND' } });
    expect(structured(await client.callTool({ name: 'share_context', arguments: { sessionId: 'ctx', contextType: 'bad', data: { a: 1 }, ttlMs: -1 } }))).toMatchObject({ error: { code: 'INPUT_INVALID', path: 'ttlMs' } });
  });

  it('holds a whole conversation through the chat tool, resumed call after call', async () => {
    const repo = await copyOf('go-http');
    const say = async (message: string): Promise<{ stage: string; options: string[]; message: string }> => structured(await client.callTool({ name: 'chat', arguments: { sessionId: 'conv', message } }));
    expect(await say('hello')).toMatchObject({ stage: 'welcome' });
    expect(await say(repo)).toMatchObject({ stage: 'preflight' });
    expect(await say('continue')).toMatchObject({ stage: 'analysis' });
    expect(await say('continue')).toMatchObject({ stage: 'dockerfile' });
    const build = await say('continue');
    expect(build).toMatchObject({ stage: 'build', options: ['skip'] });
    expect(build.message).toContain('no Docker engine is available here (no engine (test))');
    expect(await say('skip')).toMatchObject({ stage: 'push' });
    const done = await say('autopilot on');
    expect(done).toMatchObject({ stage: 'completed', progress: 1 });
    await access(join(repo, 'k8s', 'service.yaml'));
  });

  it('answers 401 without the bearer token', async () => {
    const { status, headers } = await post(server.port, { host: `127.0.0.1:${server.port}` });
    expect(status).toBe(401);
    expect(headers['www-authenticate']).toContain('Bearer');
    expect((await post(server.port, { host: `127.0.0.1:${server.port}`, authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('rejects a Host header that is not the bound address (DNS rebinding)', async () => {
    expect((await post(server.port, { host: 'evil.example', authorization: `Bearer ${TOKEN}` })).status).toBe(403);
    expect((await post(server.port, { host: `localhost:${server.port}`, authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});

/** POSTs an initialize request with the given headers. */
function post(port: number, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
