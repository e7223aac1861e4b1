import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultTools } from '../src/cli/defaultTools.js';
import { createRuntime, type Runtime } from '../src/index.js';
import { startMcpHttpServer, type McpHttpOptions, type McpHttpServer } from '../src/mcp/startMcpHttpServer.js';

const root = join(import.meta.dirname, '..');
const TOKEN = 'sessions-token-0123456789';
const structured = <T = Record<string, unknown>>(result: unknown): T => (result as CallToolResult).structuredContent as T;
const text = (result: unknown): string => ((result as CallToolResult).content[0] as { text: string }).text;

let workspace: string;
let runtime: Runtime;
const servers: McpHttpServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'orchkit-mcp-ws-'));
  await mkdir(join(workspace, 'flows'));
  await writeFile(join(workspace, 'flows', 'settings.yaml'), 'database_password: hunter2\napi_key: sk-live-123\n');
  await writeFile(join(workspace, 'notes.txt'), 'id: x\nsteps: []\n');
  await symlink('/etc', join(workspace, 'etc-link'));
  runtime = createRuntime({ tools: defaultTools(), env: { docker: false, trivy: false } });
});
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await Promise.allSettled(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await runtime.stop();
  await rm(workspace, { recursive: true, force: true });
});

async function serve(options: Partial<McpHttpOptions> = {}): Promise<McpHttpServer> {
  const server = await startMcpHttpServer({ runtime, port: 0, token: TOKEN, workspaceRoot: workspace, workflowsDir: join(root, 'examples'), ...options });
  servers.push(server);
  return server;
}

async function connect(server: McpHttpServer): Promise<Client> {
  const client = new Client({ name: 'orchkit-sessions-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
  clients.push(client);
  return client;
}

describe('MCP HTTP sessions are separate', () => {
  it('keeps shared context, conversations and runs of one MCP session out of reach of another', async () => {
    const server = await serve();
    const [alice, mallory] = [await connect(server), await connect(server)];
    await alice.callTool({ name: 'share_context', arguments: { sessionId: 'repo', contextType: 'secret', data: { token: 'a' } } });
    expect(structured(await alice.callTool({ name: 'get_context', arguments: { sessionId: 'repo', contextType: 'secret' } }))).toMatchObject({ sessionId: 'repo', data: { token: 'a' } });

    // The same session id named from another MCP session is another session: nothing to read, and writing does not overwrite.
    expect(structured(await mallory.callTool({ name: 'get_context', arguments: { sessionId: 'repo', contextType: 'secret' } }))).toMatchObject({ error: { code: 'CONTEXT_NOT_FOUND' } });
    expect(structured(await mallory.callTool({ name: 'get_context', arguments: { sessionId: 'repo' } }))).toEqual({ sessionId: 'repo', entries: [] });
    await mallory.callTool({ name: 'share_context', arguments: { sessionId: 'repo', contextType: 'secret', data: { token: 'm' } } });
    expect(structured(await alice.callTool({ name: 'get_context', arguments: { sessionId: 'repo', contextType: 'secret' } }))).toMatchObject({ data: { token: 'a' }, version: 1 });

    // A run in alice's session reads alice's context, and mallory cannot see it.
    const definition = { id: 'reads-context', steps: [{ id: 'a', tool: 'scan_secrets', input: { path: '.' } }], output: { token: '${{ context.secret.token }}' } };
    const run = structured<{ executionId: string; status: string; sessionId: string; output: unknown }>(await alice.callTool({ name: 'execute_workflow', arguments: { definition, sessionId: 'repo' } }));
    expect(run).toMatchObject({ status: 'completed', sessionId: 'repo', output: { token: 'a' } });
    expect(structured(await mallory.callTool({ name: 'get_workflow_status', arguments: { executionId: run.executionId } }))).toMatchObject({ error: { code: 'EXECUTION_NOT_FOUND' } });
    expect(structured(await alice.callTool({ name: 'get_workflow_status', arguments: { executionId: run.executionId } }))).toMatchObject({ status: 'completed', sessionId: 'repo' });
    const anonymous = structured<{ executionId: string }>(await alice.callTool({ name: 'execute_workflow', arguments: { definition: { id: 'quiet', steps: [{ id: 'a', tool: 'scan_secrets', input: { path: '.' } }] } } }));
    expect(structured(await mallory.callTool({ name: 'get_workflow_status', arguments: { executionId: anonymous.executionId } }))).toMatchObject({ error: { code: 'EXECUTION_NOT_FOUND' } });
    expect(structured(await mallory.callTool({ name: 'cancel_workflow', arguments: { executionId: anonymous.executionId } }))).toMatchObject({ error: { code: 'EXECUTION_NOT_FOUND' } });
  });
});

describe('MCP HTTP sessions are bounded', () => {
  it('closes a session idle past sessionIdleMs; its next request is refused', async () => {
    const server = await serve({ sessionIdleMs: 200 });
    const client = await connect(server);
    expect((await client.callTool({ name: 'list_workflows', arguments: {} })).isError).toBeFalsy();
    expect(server.sessions).toBe(1);
    await expect.poll(() => server.sessions, { timeout: 5_000 }).toBe(0);
    await expect(client.callTool({ name: 'list_workflows', arguments: {} })).rejects.toThrow(/404|session/i);
  });

  it('refuses a session past maxSessions with MCP_SESSION_LIMIT (503), and takes one again once a session closes', async () => {
    const server = await serve({ maxSessions: 2 });
    const first = await connect(server);
    await connect(server);
    await expect(connect(server)).rejects.toThrow(/MCP_SESSION_LIMIT/);
    const refused = await post(server.port, { host: `127.0.0.1:${server.port}`, authorization: `Bearer ${TOKEN}` });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { data: { code: 'MCP_SESSION_LIMIT', maxSessions: 2 } } });
    await (first.transport as StreamableHTTPClientTransport).terminateSession();
    await expect.poll(() => server.sessions).toBe(1);
    await connect(server);
    expect(server.sessions).toBe(2);
  });

  it('rejects out-of-range session options with INVALID_OPTION', async () => {
    await expect(startMcpHttpServer({ runtime, maxSessions: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(startMcpHttpServer({ runtime, sessionIdleMs: -5 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('MCP file paths stay in the workspace', () => {
  it('refuses .., absolute and symlinked escapes with PATH_OUTSIDE_WORKSPACE', async () => {
    const client = await connect(await serve());
    for (const path of ['../../../../etc/passwd', '/etc/passwd', 'etc-link/passwd', 'flows/../../x.yaml']) {
      const result = await client.callTool({ name: 'execute_workflow', arguments: { path } });
      expect(result.isError).toBe(true);
      expect(structured(result)).toMatchObject({ error: { code: 'PATH_OUTSIDE_WORKSPACE', type: 'security_error' } });
      expect(text(result)).not.toContain('root:');
    }
    const analyze = await client.callTool({ name: 'analyze_repository', arguments: { path: '/etc' } });
    expect(structured(analyze)).toMatchObject({ error: { code: 'PATH_OUTSIDE_WORKSPACE', path: 'path' } });
  });

  it('does not echo a file that is not a workflow', async () => {
    const client = await connect(await serve());
    for (const path of ['flows/settings.yaml', 'notes.txt']) {
      const result = await client.callTool({ name: 'execute_workflow', arguments: { path } });
      expect(structured(result)).toMatchObject({ error: { code: 'NOT_A_WORKFLOW' } });
      expect(JSON.stringify(result)).not.toMatch(/database_password|api_key|hunter2|steps: \[\]/);
    }
  });

  it('finds a workflow by the name list_workflows gives, without its extension', async () => {
    const client = await connect(await serve());
    const { workflows } = structured<{ workflows: { name: string; id?: string }[] }>(await client.callTool({ name: 'list_workflows', arguments: {} }));
    expect(workflows).toContainEqual(expect.objectContaining({ name: 'containerize.yaml', id: 'containerize' }));
    const result = await client.callTool({ name: 'execute_workflow', arguments: { path: 'containerize' } });
    // Found and validated: it fails only because the required input is missing.
    expect(structured(result)).toMatchObject({ error: { code: 'WORKFLOW_INVALID', path: 'input.repoPath' } });
  });
});

describe('MCP HTTP transport security', () => {
  it('checks Origin: a foreign one is 403, the server\'s own is accepted, none is accepted', async () => {
    const server = await serve();
    const host = `127.0.0.1:${server.port}`;
    const authorization = `Bearer ${TOKEN}`;
    expect((await post(server.port, { host, authorization, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(server.port, { host, authorization, origin: `http://localhost:${server.port}` })).status).toBe(200);
    expect((await post(server.port, { host, authorization })).status).toBe(200);
    expect((await post(server.port, { host: 'evil.example', authorization })).status).toBe(403);
  });

  it('tells a missing bearer token from a wrong one', async () => {
    const server = await serve();
    const host = `127.0.0.1:${server.port}`;
    const missing = await post(server.port, { host });
    const wrong = await post(server.port, { host, authorization: 'Bearer not-the-token' });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    const message = (reply: { body: string }): string => (JSON.parse(reply.body) as { error: { message: string } }).error.message;
    expect(message(missing)).toContain('required');
    expect(message(wrong)).toContain('not valid');
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(missing.headers['www-authenticate']).not.toContain('invalid_token');
  });
});

describe('MCP tool schemas', () => {
  it('advertises an outputSchema on every tool and closed input schemas', async () => {
    const client = await connect(await serve());
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(15);
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
      expect(tool.inputSchema, tool.name).toMatchObject({ type: 'object' });
      if (tool.inputSchema.properties && Object.keys(tool.inputSchema.properties).length > 0) expect(tool.inputSchema['additionalProperties'], tool.name).toBe(false);
    }
  });

  it('answers with structuredContent the SDK client checks against outputSchema, failures included', async () => {
    const client = await connect(await serve({ workspaceRoot: root }));
    await client.listTools();
    // The client validates every structuredContent against the advertised schema and throws on a mismatch.
    const ok = await client.callTool({ name: 'analyze_repository', arguments: { path: 'examples/apps/node-express' } });
    expect(structured(ok)).toMatchObject({ language: 'node' });
    // A copy: the pipeline writes a Dockerfile and manifests into the repository it containerizes.
    const repo = join(workspace, 'node-app');
    await cp(join(root, 'examples', 'apps', 'node-express'), repo, { recursive: true });
    const run = await client.callTool({ name: 'execute_workflow', arguments: { path: 'containerize', input: { repoPath: repo }, wait: false } });
    expect(structured(run)).toMatchObject({ status: 'running' });
    await client.callTool({ name: 'share_context', arguments: { sessionId: 's', contextType: 'n', data: [1, 2] } });
    expect(structured(await client.callTool({ name: 'get_context', arguments: { sessionId: 's' } }))).toMatchObject({ entries: [{ data: [1, 2] }] });
    expect(structured(await client.callTool({ name: 'list_workflows', arguments: {} }))).toHaveProperty('workflows');
    expect(structured(await client.callTool({ name: 'validate_dockerfile', arguments: { dockerfile: 'FROM node:20\n' } }))).toBeDefined();
    const failed = await client.callTool({ name: 'get_workflow_status', arguments: { executionId: 'nope' } });
    expect(failed.isError).toBe(true);
    await expect.poll(() => runtime.executions().length).toBe(0);
  });

  it('says "required" for a missing argument and names the one meant for an unknown one', async () => {
    const client = await connect(await serve());
    const missing = await client.callTool({ name: 'analyze_repository', arguments: {} });
    expect(structured(missing)).toMatchObject({ error: { code: 'INPUT_INVALID', path: 'path' } });
    expect(text(missing)).toMatch(/at path: required/);
    const status = await client.callTool({ name: 'get_workflow_status', arguments: {} });
    expect(text(status)).toMatch(/executionId: required/);
    const typo = await client.callTool({ name: 'analyze_repository', arguments: { paht: '.' } });
    expect(structured(typo)).toMatchObject({ error: { code: 'INPUT_INVALID', issues: expect.arrayContaining([{ path: 'paht', message: expect.stringContaining('did you mean "path"?') }]) } });
  });
});

/** POSTs an initialize request with the given headers. */
function post(port: number, headers: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
