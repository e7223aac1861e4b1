import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  defineTool,
  isRuntimeError,
  isWorkflowValidationError,
  type RegisteredWorkflow,
  type WorkflowContext,
  type WorkflowDefinitionInput,
  type WorkflowResult,
} from '../src/index.js';
import { createMcpServer } from '../src/mcp/createMcpServer.js';
import { runCli } from './support/runCli.js';
import { until } from './support/until.js';

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown() }).loose(),
  output: z.unknown(),
  run: (input) => Promise.resolve(input.value),
});

/** A one-step workflow whose output names its version. */
const versioned = (version: string, extra: Partial<WorkflowDefinitionInput> = {}): WorkflowDefinitionInput => ({
  id: 'greet',
  version,
  input: { name: { type: 'string', default: 'ada' } },
  steps: [{ id: 'say', tool: 'echo', input: { value: `v${version} \${{ input.name }}` } }],
  output: '${{ steps.say.output }}',
  ...extra,
});

/** The code and path of what `body` throws (a RuntimeError). */
function thrown(body: () => unknown): { code: string; path: string | undefined } {
  try {
    body();
  } catch (error) {
    if (isRuntimeError(error)) return { code: error.code, path: error.path };
    throw error;
  }
  throw new Error('expected a throw');
}

describe('workflow registry and versions', () => {
  it('runs the latest version by id, or the version asked for, and names it in the result', async () => {
    const runtime = createRuntime({ tools: [echo], workflows: [versioned('1')] });
    try {
      expect(runtime.workflows()).toEqual([{ id: 'greet', version: '1', latest: true }]);
      expect(runtime.registerWorkflow(versioned('2'))).toEqual({ id: 'greet', version: '2', latest: true });
      expect(runtime.workflows()).toEqual([
        { id: 'greet', version: '1', latest: false },
        { id: 'greet', version: '2', latest: true },
      ]);
      const latest = await runtime.executeWorkflow('greet', { input: { name: 'bo' } });
      expect(latest).toMatchObject({ workflowId: 'greet', version: '2', status: 'completed', output: 'v2 bo' });
      const first = await runtime.executeWorkflow('greet', { version: '1' });
      expect(first).toMatchObject({ version: '1', status: 'completed', output: 'v1 ada' });
      const handle = runtime.startWorkflow('greet', { version: '1' });
      expect((await handle.result).version).toBe('1');
      expect(handle.definition.version).toBe('1');
      // The object form still runs as before; a registered id does not shadow it.
      expect((await runtime.executeWorkflow(versioned('3'))).version).toBe('3');
      expect(runtime.workflows()).toHaveLength(2);
    } finally {
      await runtime.stop();
    }
  });

  it('latest is the most recently registered version, not the highest', async () => {
    const runtime = createRuntime({ tools: [echo] });
    try {
      runtime.registerWorkflow(versioned('2'));
      runtime.registerWorkflow(versioned('1'));
      expect((await runtime.executeWorkflow('greet')).version).toBe('1');
      expect(runtime.getWorkflow('greet').version).toBe('1');
    } finally {
      await runtime.stop();
    }
  });

  it('unknown ids and versions are thrown RuntimeErrors WORKFLOW_NOT_FOUND with the argument at fault', async () => {
    const runtime = createRuntime({ tools: [echo], workflows: [versioned('1')] });
    try {
      expect(thrown(() => runtime.startWorkflow('gret'))).toEqual({ code: 'WORKFLOW_NOT_FOUND', path: 'id' });
      expect(thrown(() => runtime.executeWorkflow('greet', { version: '9' }))).toEqual({ code: 'WORKFLOW_NOT_FOUND', path: 'version' });
      expect(thrown(() => runtime.getWorkflow('nope'))).toEqual({ code: 'WORKFLOW_NOT_FOUND', path: 'id' });
      try {
        runtime.startWorkflow('gret');
      } catch (error) {
        expect((error as Error).message).toContain('did you mean "greet"');
      }
    } finally {
      await runtime.stop();
    }
  });

  it('same (id, version) with the same content is a no-op; with other content WORKFLOW_VERSION_CONFLICT', async () => {
    const runtime = createRuntime({ tools: [echo], workflows: [versioned('1')] });
    try {
      // Same content once defaults apply (version 1 as a number, input defaults spelled out).
      expect(runtime.registerWorkflow({ ...versioned('1'), version: 1, concurrency: undefined })).toMatchObject({ version: '1', latest: true });
      expect(runtime.workflows()).toHaveLength(1);
      expect(thrown(() => runtime.registerWorkflow(versioned('1', { output: 'changed' })))).toEqual({ code: 'WORKFLOW_VERSION_CONFLICT', path: 'version' });
      expect(() => createRuntime({ tools: [echo], workflows: [versioned('1'), versioned('1', { timeoutMs: 5 })] })).toThrow(/other content/);
      expect(runtime.workflows()).toEqual([{ id: 'greet', version: '1', latest: true }]);
    } finally {
      await runtime.stop();
    }
  });

  it('an invalid definition does not register: WorkflowValidationError with paths', async () => {
    const runtime = createRuntime({ tools: [echo] });
    try {
      let caught: unknown;
      try {
        runtime.registerWorkflow({ id: 'bad', steps: [{ id: 'a', tool: 'ech0' }, { id: 'b', tool: 'echo', dependsOn: ['zz'] }] });
      } catch (error) {
        caught = error;
      }
      expect(isWorkflowValidationError(caught)).toBe(true);
      const issues = (caught as { issues: { code: string; path: string }[] }).issues;
      expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'steps[0].tool' }), expect.objectContaining({ path: 'steps[1].dependsOn[0]' })]));
      expect(runtime.workflows()).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });

  it('types: ids and versions are strings; results carry the version', () => {
    const runtime = createRuntime({ tools: [echo] });
    expectTypeOf(runtime.workflows()).toEqualTypeOf<RegisteredWorkflow[]>();
    expectTypeOf<Parameters<typeof runtime.executeWorkflow>[0]>().toEqualTypeOf<WorkflowDefinitionInput | string>();
    expectTypeOf<WorkflowResult['version']>().toEqualTypeOf<string>();
    void runtime.stop();
  });

  it('property: for any registration sequence, latest is the last new (id, version) and conflicts are exactly the changed contents', async () => {
    const runtime = createRuntime({ tools: [echo] });
    await runtime.stop();
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.constantFrom('a', 'b'), version: fc.constantFrom('1', '2', '3'), content: fc.constantFrom('x', 'y') }), { maxLength: 12 }), (sequence) => {
        const r = createRuntime({ tools: [echo] });
        const model = new Map<string, string>(); // "id@version" -> content
        const latest = new Map<string, string>(); // id -> version
        for (const { id, version, content } of sequence) {
          const definition = { id, version, steps: [{ id: 's', tool: 'echo', input: { value: content } }] };
          const key = `${id}@${version}`;
          const known = model.get(key);
          if (known !== undefined && known !== content) {
            expect(thrown(() => r.registerWorkflow(definition)).code).toBe('WORKFLOW_VERSION_CONFLICT');
            continue;
          }
          r.registerWorkflow(definition);
          if (known === undefined) {
            model.set(key, content);
            latest.set(id, version);
          }
        }
        expect(r.workflows().map((w) => `${w.id}@${w.version}`).sort()).toEqual([...model.keys()].sort());
        for (const [id, version] of latest) expect(r.getWorkflow(id).version).toBe(version);
        expect(r.workflows().filter((w) => w.latest).map((w) => `${w.id}@${w.version}`).sort()).toEqual([...latest].map(([id, v]) => `${id}@${v}`).sort());
        void r.stop();
      }),
      { numRuns: 100 },
    );
  });
});

describe('versions: a durable run keeps the definition it started with (SQLite)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'orchkit-registry-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const parkedVersion = (version: string): WorkflowDefinitionInput => ({
    id: 'release',
    version,
    steps: [
      { id: 'approve', wait: { signal: 'approval' } },
      { id: 'tag', tool: 'echo', dependsOn: ['approve'], input: { value: `tagged by v${version}` } },
    ],
    output: '${{ steps.tag.output }}',
  });

  it('resumes on version 1 after version 2 is registered, and new runs by id take version 2', async () => {
    const store = `sqlite:${path.join(dir, 'versions.db')}`;
    const first = createRuntime({ store, tools: [echo], workflows: [parkedVersion('1')] });
    const execution = first.startWorkflow('release');
    await until('the approval step to park', () => {
      const step = (first.executions()[0]?.actor.getSnapshot() as { context: WorkflowContext } | undefined)?.context.steps.approve;
      return step?.phase === 'waiting';
    });
    await first.stop();

    const listed = await runCli(['runs', 'list', '--store', store]);
    expect(listed.stdout).toMatch(/release@1/);
    expect(JSON.parse((await runCli(['runs', 'list', '--store', store, '--json'])).stdout)).toContainEqual(expect.objectContaining({ executionId: execution.executionId, version: '1' }));

    const second = createRuntime({ store, tools: [echo], workflows: [parkedVersion('1'), { ...parkedVersion('2'), steps: [{ id: 'only', tool: 'echo', input: { value: 'v2' } }], output: null }] });
    try {
      const [resumed] = await second.resume();
      expect(resumed?.definition.version).toBe('1');
      await second.signal(execution.executionId, 'approval', { ok: true });
      const result = await resumed?.result;
      expect(result).toMatchObject({ version: '1', status: 'completed', output: 'tagged by v1' });
      expect(Object.keys(result?.steps ?? {})).toEqual(['approve', 'tag']);
      const fresh = await second.executeWorkflow('release');
      expect(fresh).toMatchObject({ version: '2', output: null, status: 'completed' });
      expect((await second.store?.getExecution(fresh.executionId))?.version).toBe('2');
    } finally {
      await second.stop();
    }
  });
});

describe('registry: CLI and MCP', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'orchkit-registry-cli-'));
    await mkdir(path.join(dir, 'flows'));
    await mkdir(path.join(dir, 'broken'));
    const nap = (version: string): string => `id: nap\nversion: "${version}"\nsteps:\n  - id: rest\n    wait: { durationMs: 1 }\noutput: { version: "v${version}" }\n`;
    await writeFile(path.join(dir, 'flows', 'nap-1.yaml'), nap('1'));
    await writeFile(path.join(dir, 'flows', 'nap-2.yaml'), nap('2'));
    await writeFile(path.join(dir, 'flows', 'notes.txt'), 'not a workflow');
    await writeFile(path.join(dir, 'broken', 'ok.yaml'), nap('1'));
    await writeFile(path.join(dir, 'broken', 'typo.yaml'), 'id: typo\nsteps:\n  - id: a\n    tool: no_such_tool\n');
    await writeFile(path.join(dir, 'broken', 'zz-clash.yaml'), nap('1').replace('v1', 'other'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('orchkit run <id> --workflows <dir> runs the latest version, id@version a given one', async () => {
    const flows = path.join(dir, 'flows');
    const latest = await runCli(['run', 'nap', '--workflows', flows, '--json']);
    expect(latest.code).toBe(0);
    expect(JSON.parse(latest.stdout)).toMatchObject({ workflowId: 'nap', version: '2', status: 'completed', output: { version: 'v2' } });
    const pinned = await runCli(['run', 'nap@1', '--workflows', flows]);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toMatch(/nap: completed in \d+ ms \(version 1, execution/);
    // A file still runs as a file, next to the registered ones, and its workflow steps call them.
    const file = await runCli(['run', path.join(flows, 'nap-1.yaml'), '--workflows', flows, '--json']);
    expect(JSON.parse(file.stdout)).toMatchObject({ version: '1', status: 'completed' });
    const parentFile = path.join(dir, 'parent.yaml');
    await writeFile(parentFile, 'id: parent\nsteps:\n  - id: child\n    workflow: nap\n    version: 1\noutput: "${{ steps.child.output }}"\n');
    const parent = await runCli(['run', parentFile, '--workflows', flows, '--json']);
    expect(JSON.parse(parent.stdout)).toMatchObject({ status: 'completed', output: { version: 'v1' }, steps: { child: { childExecutionId: expect.stringMatching(/:child$/) } } });
    const orphan = await runCli(['run', parentFile, '--json']);
    expect(orphan.code).toBe(2);
    expect(JSON.parse(orphan.stdout)).toMatchObject({ ran: false, issues: [{ code: 'UNKNOWN_WORKFLOW', path: 'steps[0].workflow' }] });
  });

  it('orchkit run: an unknown id or version, and a directory with bad files, exit 2 with the problem and its path', async () => {
    const flows = path.join(dir, 'flows');
    const unknown = await runCli(['run', 'napp', '--workflows', flows]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/napp {2}id {2}no workflow "napp" is registered \(did you mean "nap"\?\).*\[WORKFLOW_NOT_FOUND\]/);
    const version = await runCli(['run', 'nap@7', '--workflows', flows, '--json']);
    expect(version.code).toBe(2);
    expect(JSON.parse(version.stdout)).toMatchObject({ ran: false, code: 'WORKFLOW_NOT_FOUND', issues: [{ path: 'version' }] });
    const none = await runCli(['run', 'nap']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give --workflows <dir>');
    const broken = await runCli(['run', 'nap', '--workflows', path.join(dir, 'broken'), '--json']);
    expect(broken.code).toBe(2);
    const report = JSON.parse(broken.stdout) as { problems: { file: string; code: string; issues: { path: string; code: string }[] }[] };
    expect(report.problems).toEqual([
      expect.objectContaining({ file: expect.stringMatching(/typo\.yaml$/), issues: [expect.objectContaining({ path: 'steps[0].tool', code: 'UNKNOWN_TOOL' })] }),
      expect.objectContaining({ file: expect.stringMatching(/zz-clash\.yaml$/), code: 'WORKFLOW_VERSION_CONFLICT', issues: [expect.objectContaining({ path: 'version' })] }),
    ]);
    const missing = await runCli(['run', 'nap', '--workflows', path.join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('DIRECTORY_UNREADABLE');
  });

  it('MCP: list_workflows lists registered versions; execute_workflow runs one by workflowId, typed errors for unknown ones', async () => {
    const runtime = createRuntime({ tools: [echo], workflows: [versioned('1'), versioned('2')] });
    const server = createMcpServer({ runtime, workflowsDir: path.join(dir, 'flows') });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'orchkit-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
      const listed = await call('list_workflows', {});
      expect(listed.structuredContent).toMatchObject({
        registered: [
          { id: 'greet', version: '1', latest: false, steps: ['say'], inputs: ['name'] },
          { id: 'greet', version: '2', latest: true, steps: ['say'], inputs: ['name'] },
        ],
        workflows: [{ name: 'nap-1.yaml', id: 'nap' }, { name: 'nap-2.yaml', id: 'nap' }],
      });
      expect((await call('execute_workflow', { workflowId: 'greet', input: { name: 'cy' } })).structuredContent).toMatchObject({ version: '2', status: 'completed', output: 'v2 cy' });
      expect((await call('execute_workflow', { workflowId: 'greet', version: 1 })).structuredContent).toMatchObject({ version: '1', output: 'v1 ada' });
      const unknown = await call('execute_workflow', { workflowId: 'nope' });
      expect(unknown.isError).toBe(true);
      expect(unknown.structuredContent).toMatchObject({ error: { code: 'WORKFLOW_NOT_FOUND', path: 'workflowId' } });
      const badVersion = await call('execute_workflow', { workflowId: 'greet', version: '5' });
      expect(badVersion.structuredContent).toMatchObject({ error: { code: 'WORKFLOW_NOT_FOUND', path: 'version' } });
      const both = await call('execute_workflow', { workflowId: 'greet', path: 'nap-1' });
      expect(both.isError).toBe(true);
      expect(JSON.stringify(both.structuredContent)).toContain('exactly one of path, definition or workflowId');
      const stray = await call('execute_workflow', { path: 'nap-1', version: '1' });
      expect(JSON.stringify(stray.structuredContent)).toContain('version goes with workflowId');
    } finally {
      await client.close();
      await runtime.stop();
    }
  });
});
