import { spawn } from 'node:child_process';
import { access, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { z } from 'zod';
import { defaultTools } from '../src/cli/defaultTools.js';
import { createRuntime, defineTool, type Runtime } from '../src/index.js';
import { chat, CONVERSATION_CONTEXT, type ChatOptions } from '../src/conversation/conversationChat.js';
import { parseConversationCommand } from '../src/conversation/conversationCommands.js';
import type { ConversationCapabilities } from '../src/conversation/conversationContext.js';
import { conversationMachine } from '../src/conversation/conversationMachine.js';

const root = join(import.meta.dirname, '..');
const noDocker: ConversationCapabilities = {
  docker: false, trivy: false, kubectl: false,
  details: { docker: 'Cannot connect to the Docker daemon (test)', trivy: 'trivy was not found on PATH (test)', kubectl: 'not found (test)' },
};
const withDocker: ConversationCapabilities = { ...noDocker, docker: true, details: { ...noDocker.details, docker: 'engine 27.0.0 (test)' } };

/** A stand-in for `build_image` (tests only: the real tool needs a Docker engine). */
const fakeBuild = defineTool({
  name: 'build_image',
  description: 'test stand-in',
  input: z.looseObject({ path: z.string(), tag: z.string() }),
  output: z.object({ imageId: z.string(), tag: z.string(), durationMs: z.number(), logTail: z.array(z.string()) }),
  run: async ({ tag }) => ({ imageId: 'sha256:0123abcd', tag, durationMs: 1, logTail: [] }),
});

let scratch: string;
let runtime: Runtime | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'orchkit-conversation-'));
});
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function copyOf(app: string): Promise<string> {
  const target = await mkdtemp(join(scratch, `${app}-`));
  await cp(join(root, 'examples', 'apps', app), target, { recursive: true });
  return target;
}

function talk(capabilities: ConversationCapabilities, tools = defaultTools()): (sessionId: string, text: string) => ReturnType<typeof chat> {
  const current = createRuntime({ tools });
  runtime = current;
  const options: ChatOptions = { capabilities: async () => capabilities };
  return (sessionId, text) => chat(current, sessionId, text, options);
}

describe('parseConversationCommand', () => {
  it('reads paths, analyze <path>, autopilot and short commands', () => {
    expect(parseConversationCommand('./examples/apps/go-http')).toEqual({ kind: 'analyze', path: './examples/apps/go-http' });
    expect(parseConversationCommand('analyze /srv/app')).toEqual({ kind: 'analyze', path: '/srv/app' });
    expect(parseConversationCommand('Autopilot ON')).toEqual({ kind: 'autopilot', on: true });
    expect(parseConversationCommand('push ghcr.io/acme')).toEqual({ kind: 'push', registry: 'ghcr.io/acme' });
    expect(parseConversationCommand(' Skip ')).toEqual({ kind: 'skip' });
    expect(parseConversationCommand('next')).toEqual({ kind: 'continue' });
    expect(parseConversationCommand('hello there')).toEqual({ kind: 'unknown', text: 'hello there' });
  });
});

describe('the conversation through the runtime', () => {
  it('goes through every stage; without Docker the build is skipped with the reason', async () => {
    const say = talk(noDocker);
    const repo = await copyOf('go-http');
    expect(await say('s', 'hi')).toMatchObject({ stage: 'welcome', progress: 0 });

    const preflight = await say('s', repo);
    expect(preflight.stage).toBe('preflight');
    expect(preflight.message).toContain('Docker engine: not available (Cannot connect to the Docker daemon (test))');
    expect(preflight.message).toContain('trivy: not available');

    expect(await say('s', 'skip')).toMatchObject({ stage: 'preflight', message: '`skip` applies to the build and the push stages only.' });
    const analysis = await say('s', 'continue');
    expect(analysis).toMatchObject({ stage: 'analysis' });
    expect(analysis.message).toContain(': go 1.23');

    expect(await say('s', 'continue')).toMatchObject({ stage: 'dockerfile' });
    expect(await readFile(join(repo, 'Dockerfile'), 'utf8')).toMatch(/^FROM golang:/m);

    const build = await say('s', 'continue');
    expect(build).toMatchObject({ stage: 'build', options: ['skip'] });
    expect(build.message).toContain('no Docker engine is available here (Cannot connect to the Docker daemon (test))');
    expect((await say('s', 'build')).message).toBe('I cannot build: there is no Docker engine here.');

    const push = await say('s', 'skip');
    expect(push.stage).toBe('push');
    expect(push.message).toContain('Build skipped: no Docker engine (Cannot connect to the Docker daemon (test))');
    expect(push.message).toContain('nothing to push');

    const manifests = await say('s', 'continue');
    expect(manifests.stage).toBe('manifests');
    await access(join(repo, 'k8s', 'deployment.yaml'));
    await access(join(repo, 'k8s', 'service.yaml'));

    const deployment = await say('s', 'continue');
    expect(deployment).toMatchObject({ stage: 'deployment', options: ['finish'] });
    expect(deployment.message).toContain('pass the structural check');
    expect(await say('s', 'finish')).toMatchObject({ stage: 'completed', progress: 1 });
  });

  it('reports a failed analysis and accepts another path', async () => {
    const say = talk(noDocker);
    await say('s', join(scratch, 'no-such-repo'));
    const failed = await say('s', 'continue');
    expect(failed).toMatchObject({ stage: 'analysis', options: ['retry', 'analyze <path>'] });
    expect(failed.message).toContain('REPO_NOT_FOUND');
    await say('s', `analyze ${await copyOf('python-flask')}`);
    expect(await say('s', 'continue')).toMatchObject({ stage: 'analysis', options: ['continue'] });
  });

  it('autopilot runs every stage that needs no answer in one message', async () => {
    const say = talk(noDocker);
    expect((await say('s', 'autopilot on')).message).toContain('Autopilot is on');
    const reply = await say('s', await copyOf('go-http'));
    expect(reply).toMatchObject({ stage: 'completed', progress: 1, autopilot: true });
    expect(reply.message).toContain('Build skipped: no Docker engine');
    expect(reply.message).toContain('Wrote Kubernetes manifests');
  });

  it('with Docker, build is offered; autopilot builds, then waits where to push; skip goes on', async () => {
    const tools = [...defaultTools().filter((tool) => tool.name !== 'build_image'), fakeBuild];
    const say = talk(withDocker, tools);
    await say('s', await copyOf('node-express'));
    await say('s', 'continue');
    expect(await say('s', 'continue')).toMatchObject({ stage: 'dockerfile' });
    expect(await say('s', 'continue')).toMatchObject({ stage: 'build', options: ['build', 'skip'] });
    const push = await say('s', 'autopilot on');
    expect(push).toMatchObject({ stage: 'push', options: ['push <registry>', 'push', 'skip'] });
    expect(push.message).toMatch(/Built node-express-\w+:0\.1\.0 \(sha256:0123abcd\)/);
    const done = await say('s', 'skip');
    expect(done.stage).toBe('completed');
    expect(done.message).toContain('Push skipped');
  });

  it('resumes from the session: each message restores the stored snapshot into a fresh actor', async () => {
    const say = talk(noDocker);
    const repo = await copyOf('go-http');
    await say('s', repo);
    const stored = runtime?.context('s').get<{ value: unknown; context: { repository: string } }>(CONVERSATION_CONTEXT);
    expect(stored?.data).toMatchObject({ value: { preflight: 'done' }, context: { repository: repo } });
    expect(JSON.parse(JSON.stringify(stored?.data))).toEqual(stored?.data);

    // Another session is a separate conversation.
    expect(await say('other', 'status')).toMatchObject({ stage: 'welcome' });
    expect(await say('s', 'continue')).toMatchObject({ stage: 'analysis' });

    // The snapshot restores outside chat() too (a plain actor, nothing running).
    const restored = createActor(conversationMachine, { snapshot: structuredClone(runtime?.context('s').get(CONVERSATION_CONTEXT)?.data) as never, input: { sessionId: 's' } });
    restored.start();
    expect(restored.getSnapshot().value).toEqual({ analysis: 'done' });
    restored.stop();
  });

  it('starts over when the stored snapshot is not one this machine can restore', async () => {
    const say = talk(noDocker);
    await say('s', await copyOf('go-http'));
    const stored = runtime?.context('s').get<Record<string, unknown>>(CONVERSATION_CONTEXT)?.data;
    runtime?.context('s').share(CONVERSATION_CONTEXT, { ...stored, value: { renamed: 'state' } });
    expect(await say('s', 'status')).toMatchObject({ stage: 'welcome' });
    runtime?.context('s').share(CONVERSATION_CONTEXT, 'not a snapshot');
    expect(await say('s', 'status')).toMatchObject({ stage: 'welcome' });
  });

  it('handles the messages of one session one at a time', async () => {
    const say = talk(noDocker);
    const [first, second] = await Promise.all([say('s', await copyOf('go-http')), say('s', 'continue')]);
    expect(first.stage).toBe('preflight');
    expect(second.stage).toBe('analysis');
  });
});

describe('orchkit chat', () => {
  it('prints the replies of a terminal conversation and ends on exit', async () => {
    const repo = await copyOf('go-http');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'chat', '--session', 'cli'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end(`${repo}\ncontinue\nexit\n`);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('[welcome 0%]');
    expect(stdout).toContain('[preflight 13%]');
    expect(stdout).toMatch(/\[analysis 25%\] Analysis of .*: go 1\.23/);
  });
});
