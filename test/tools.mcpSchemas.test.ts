// The new tools over MCP: listed with JSON Schemas, and answered with structuredContent that the SDK
// client checks against each advertised outputSchema (a mismatch throws in callTool).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTools } from '../src/cli/defaultTools.js';
import { createRuntime, type Runtime } from '../src/index.js';
import { createMcpServer } from '../src/mcp/createMcpServer.js';

const NEW_TOOLS = ['tag_image', 'resolve_base_images', 'fix_dockerfile', 'prepare_cluster', 'deploy_application', 'verify_deployment'];
let runtime: Runtime;
let client: Client;

beforeAll(async () => {
  runtime = createRuntime({ tools: defaultTools(), env: { engine: null, containerEngine: false, docker: false, trivy: false } });
  const server = createMcpServer({ runtime, chat: { capabilities: async () => ({ docker: false, trivy: false, kubectl: false, details: {} }) } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'orchkit-test', version: '1.0.0' });
  await client.connect(clientSide);
});
afterAll(async () => {
  await client.close();
  await runtime.stop();
});

const structured = (result: unknown): Record<string, unknown> => (result as CallToolResult).structuredContent ?? {};

describe('the engine, registry and cluster tools over MCP', () => {
  it('lists each new tool with an input and an output JSON Schema', async () => {
    const { tools } = await client.listTools();
    for (const name of NEW_TOOLS) {
      const tool = tools.find((candidate) => candidate.name === name);
      expect(tool, name).toBeDefined();
      expect(tool?.inputSchema.type).toBe('object');
      expect(tool?.outputSchema?.type).toBe('object');
    }
    const push = tools.find((tool) => tool.name === 'push_image');
    expect(Object.keys(push?.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['tag', 'registry', 'engine', 'credentials', 'tlsVerify']));
    const build = tools.find((tool) => tool.name === 'build_image');
    expect(JSON.stringify(build?.inputSchema.properties?.['engine'])).toMatch(/podman/);
  });

  it('calls them: answers match the output schemas, failures are typed tool errors', async () => {
    const fixed = structured(await client.callTool({ name: 'fix_dockerfile', arguments: { dockerfile: 'FROM node:latest\nADD . .\nCMD ["node", "i.js"]\n' } }));
    expect(fixed['diff']).toMatch(/^-FROM node:latest$/m);
    const bases = structured(await client.callTool({ name: 'resolve_base_images', arguments: { path: 'examples/apps/node-with-dockerfile', remote: false } }));
    expect(bases).toMatchObject({ available: false, images: [expect.objectContaining({ registry: 'not_checked' })] });
    const credentials = structured(await client.callTool({ name: 'validate_credentials', arguments: { registry: '127.0.0.1:9', configPath: 'no-such-dir/config.json', verify: false } }));
    expect(credentials).toMatchObject({ hasCredentials: false, action: 'escalate' });
    const cluster = await client.callTool({ name: 'prepare_cluster', arguments: { kubeconfig: '/nonexistent/kubeconfig', context: 'none' } }) as CallToolResult;
    expect(cluster.isError).toBe(true);
    expect(JSON.stringify(cluster.content)).toMatch(/CLUSTER_UNREACHABLE|KUBECTL_MISSING/);
  }, 60_000);
});
