// Paths inside inline definitions and workflow inputs over MCP stay in the server's workspace
// root: every tool of the pack resolves the paths it is given through `ctx.resolvePath`, so
// `../../etc`, `/etc/passwd` or a link out fail the step with PATH_OUTSIDE_WORKSPACE (with the
// path), whether the path is written in the definition, wired from the input or given directly.
// Real MCP HTTP server and SDK client; the runtime itself has no root, the MCP server gives its own.
import { cp, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confinePath } from '../src/actors/confinePath.js';
import { defaultTools } from '../src/cli/defaultTools.js';
import { createRuntime, isToolError, type Runtime } from '../src/index.js';
import { startMcpHttpServer, type McpHttpServer } from '../src/mcp/startMcpHttpServer.js';

const root = join(import.meta.dirname, '..');
const TOKEN = 'workspace-token-0123456789';
const structured = <T = Record<string, unknown>>(result: unknown): T => (result as CallToolResult).structuredContent as T;

interface StepAnswer {
  status: string;
  error?: { code: string; message: string; details?: { path?: string } };
}
interface RunAnswer {
  status: string;
  steps: Record<string, StepAnswer>;
  error?: { code: string };
}

let workspace: string;
let outside: string;
let runtime: Runtime;
let server: McpHttpServer;
let client: Client;

beforeAll(async () => {
  workspace = await realpath(await mkdtemp(join(tmpdir(), 'orchkit-mcp-root-')));
  outside = await realpath(await mkdtemp(join(tmpdir(), 'orchkit-mcp-outside-')));
  await cp(join(root, 'examples', 'apps', 'node-express'), join(workspace, 'app'), { recursive: true });
  await cp(join(root, 'examples', 'apps', 'node-express'), join(outside, 'app'), { recursive: true });
  await mkdir(join(workspace, 'out'));
  await symlink(outside, join(workspace, 'link-out'));
  runtime = createRuntime({ tools: defaultTools(), env: { docker: false, trivy: false } });
  server = await startMcpHttpServer({ runtime, port: 0, token: TOKEN, workspaceRoot: workspace, workflowsDir: join(root, 'examples') });
  client = new Client({ name: 'orchkit-workspace-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
});
afterAll(async () => {
  await client.close();
  await server.close();
  await runtime.stop();
  await rm(workspace, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const run = async (definition: unknown, input?: unknown): Promise<RunAnswer> =>
  structured<RunAnswer>(await client.callTool({ name: 'execute_workflow', arguments: { definition, ...(input === undefined ? {} : { input }) } }));

const oneStep = (tool: string, input: Record<string, unknown>) => ({ id: `paths-${tool}`, steps: [{ id: 'a', tool, input }] });

/** The step `a` failed with PATH_OUTSIDE_WORKSPACE, naming the path it was given. */
function expectRefused(answer: RunAnswer, path: string, argument = 'path'): void {
  expect(answer.status).toBe('failed');
  expect(answer.steps.a).toMatchObject({ status: 'failed', error: { code: 'PATH_OUTSIDE_WORKSPACE' } });
  expect(answer.steps.a?.error?.message).toContain(`${argument} "${path}"`);
}

describe('MCP: paths in inline definitions and workflow inputs stay in the workspace root', () => {
  it('runs a tool on a path inside the workspace, relative to the root', async () => {
    const answer = await run(oneStep('analyze_repository', { path: 'app' }));
    expect(answer.status).toBe('completed');
  });

  it.each([
    ['analyze_repository', { path: '../../etc' }, '../../etc', 'path'],
    ['scan_secrets', { path: '/etc' }, '/etc', 'path'],
    ['validate_dockerfile', { path: '/etc/passwd' }, '/etc/passwd', 'path'],
    ['validate_manifests', { path: 'app/../../../etc' }, 'app/../../../etc', 'path'],
    ['generate_manifests', { name: 'web', image: 'web:1', write: true, outputDir: '../escape' }, '../escape', 'outputDir'],
    ['validate_credentials', { registry: 'docker.io', configPath: '/etc/passwd' }, '/etc/passwd', 'configPath'],
    ['analyze_repository', { path: 'link-out/app' }, 'link-out/app', 'path'],
    ['fix_dockerfile', { path: '/etc' }, '/etc', 'path'],
    ['resolve_base_images', { path: '../..', remote: false }, '../..', 'path'],
  ])('%s with %j written in the definition is PATH_OUTSIDE_WORKSPACE', async (tool, input, path, argument) => {
    expectRefused(await run(oneStep(tool, input)), path, argument);
  });

  it('a path wired from the workflow input is checked when the step runs', async () => {
    const definition = { id: 'wired', input: { repo: { type: 'string' } }, steps: [{ id: 'a', tool: 'analyze_repository', input: { path: '${{ input.repo }}' } }] };
    expectRefused(await run(definition, { repo: outside }), outside);
    expect((await run(definition, { repo: 'app' })).status).toBe('completed');
  });

  it('a tool called directly over MCP is confined the same way', async () => {
    const direct = await client.callTool({ name: 'analyze_repository', arguments: { path: '../..' } });
    expect((direct as CallToolResult).isError).toBe(true);
    expect(structured(direct)).toMatchObject({ error: { code: 'PATH_OUTSIDE_WORKSPACE' } });
  });
});

describe('MCP chat: the repository path stays in the workspace root', () => {
  it('a conversation on a repository outside the root stops at analysis with PATH_OUTSIDE_WORKSPACE; inside, it goes on', async () => {
    const say = async (sessionId: string, message: string): Promise<{ stage: string; message: string }> => structured(await client.callTool({ name: 'chat', arguments: { sessionId, message } }));
    await say('out', 'hello');
    await say('out', join(outside, 'app'));
    const refused = await say('out', 'continue');
    expect(refused.message).toContain('PATH_OUTSIDE_WORKSPACE');
    await say('in', 'hello');
    await say('in', join(workspace, 'app'));
    expect(await say('in', 'continue')).toMatchObject({ stage: 'analysis' });
  });
});

describe('the runtime workspace root', () => {
  it('createRuntime({ workspaceRoot }) confines every run; without one, paths are not confined', async () => {
    const confined = createRuntime({ tools: defaultTools(), workspaceRoot: workspace });
    const open = createRuntime({ tools: defaultTools() });
    try {
      const refused = await confined.executeWorkflow(oneStep('analyze_repository', { path: join(outside, 'app') }));
      expect(refused.steps.a).toMatchObject({ status: 'failed', error: { code: 'PATH_OUTSIDE_WORKSPACE', type: 'security_error' } });
      expect((await confined.executeWorkflow(oneStep('analyze_repository', { path: 'app' }))).status).toBe('completed');
      expect((await open.executeWorkflow(oneStep('analyze_repository', { path: join(outside, 'app') }))).status).toBe('completed');
      // A run's own root (what the MCP server passes) takes the place of the runtime's.
      const own = await open.executeWorkflow(oneStep('analyze_repository', { path: join(outside, 'app') }), { workspaceRoot: workspace });
      expect(own.steps.a).toMatchObject({ status: 'failed', error: { code: 'PATH_OUTSIDE_WORKSPACE' } });
    } finally {
      await confined.stop();
      await open.stop();
    }
  });

  it('for any path, ctx.resolvePath answers a path inside the root or PATH_OUTSIDE_WORKSPACE', async () => {
    const segment = fc.constantFrom('..', '.', 'app', 'out', 'link-out', 'missing', 'etc', '');
    const path = fc.tuple(fc.boolean(), fc.array(segment, { maxLength: 6 })).map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);
    await fc.assert(
      fc.asyncProperty(path, async (given) => {
        try {
          const resolved = await confinePath(workspace, given, 'probe');
          const rel = relative(workspace, resolved);
          expect(rel === '..' || rel.startsWith(`..${sep}`)).toBe(false);
          expect(rel.split(sep)[0]).not.toBe('link-out');
        } catch (error) {
          expect(isToolError(error) && error.code === 'PATH_OUTSIDE_WORKSPACE').toBe(true);
        }
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
