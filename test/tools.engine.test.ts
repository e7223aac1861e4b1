// Real engine and registry: podman (or docker) builds FROM scratch images, tags and pushes them to
// Debian's docker-registry on 127.0.0.1, and the registry's HTTP API reads them back. Without an
// engine or the registry binary the suites skip, saying why; with CI=true they fail instead.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../src/index.js';
import { isToolError, type ToolError } from '../src/errors/ToolError.js';
import { buildImage, detectCapabilities, pushImage, resolveBaseImages, tagImage, validateCredentials } from '../src/tools/index.js';
import { runCommand } from '../src/tools/commandRunner.js';
import { detectEngine } from '../src/tools/engine/resolveEngine.js';
import { getManifest } from '../src/tools/registry/registryClient.js';
import { REGISTRY_PASSWORD, REGISTRY_USER, registryUnavailable, startLocalRegistry, type LocalRegistry } from './support/localRegistry.js';
import { createTestToolContext } from './support/toolContext.js';

const IN_CI = process.env.CI === 'true';
const probe = await detectEngine();
const engine = probe.engine;
const noEngine = engine ? undefined : `no container engine (docker: ${probe.details.docker}; podman: ${probe.details.podman})`;
const noRegistry = await registryUnavailable();
const skipWhy = noEngine ?? noRegistry;
const suite = skipWhy && !IN_CI ? describe.skip : describe;
const title = (name: string): string => (skipWhy && !IN_CI ? `${name} — skipped: ${skipWhy} (CI=true makes this a failure)` : name);

const ctx = createTestToolContext();
const run = `${process.pid}-${Date.now().toString(36)}`;
const images: string[] = [];
let scratch: string;
let open: LocalRegistry | undefined;
let secured: LocalRegistry | undefined;

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isToolError(error)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

/** A build context with a Dockerfile and one file to copy. */
async function context(dockerfile: string): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'ctx-'));
  await writeFile(join(dir, 'hello.txt'), `hello from ${run}\n`);
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

function ref(name: string): string {
  const tag = `localhost/orchkit-test-${name}:${run}`;
  images.push(tag);
  return tag;
}

beforeAll(async () => {
  if (skipWhy) {
    if (IN_CI) throw new Error(`CI=true requires a container engine and docker-registry: ${skipWhy}`);
    return;
  }
  scratch = await mkdtemp(join(tmpdir(), 'orchkit-engine-test-'));
  [open, secured] = await Promise.all([startLocalRegistry(), startLocalRegistry({ auth: true })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([open?.stop(), secured?.stop()]);
  if (engine && images.length > 0) await runCommand(engine, ['rmi', '--force', ...images], { timeoutMs: 60_000 }).catch(() => undefined);
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 60_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

suite(title('build, tag and push with the machine\'s engine'), () => {
  it('detects the engine in env: containerEngine is true for either engine', async () => {
    const env = await detectCapabilities();
    expect(env.engine).toBe(engine);
    expect(env.containerEngine).toBe(true);
    expect(env[engine ?? 'podman']).toBe(true);
  });

  it('builds FROM scratch plus a file, tags it, pushes it, and the registry serves its manifest', async () => {
    const progress: string[] = [];
    const withProgress = createTestToolContext({ progress: (update) => { if (update.message) progress.push(update.message); } });
    const built = await buildImage.run(buildImage.input.parse({ path: await context('FROM scratch\nCOPY hello.txt /hello.txt\n'), tag: ref('app') }), withProgress);
    expect(built).toMatchObject({ engine, tag: ref('app').replace(/.*/, built.tag) });
    expect(built.imageId).toMatch(/^(sha256:)?[0-9a-f]{64}$/);
    expect(progress.some((line) => /COPY hello.txt/.test(line))).toBe(true);

    const host = open?.host ?? '';
    const tagged = await tagImage.run(tagImage.input.parse({ source: built.tag, tags: [`orchkit/app:${run}`], registry: host }), ctx);
    expect(tagged.tags).toEqual([`${host}/orchkit/app:${run}`]);
    images.push(...tagged.tags);
    const pushed = await pushImage.run(pushImage.input.parse({ tag: tagged.tags[0] }), ctx);
    expect(pushed.tag).toBe(`${host}/orchkit/app:${run}`);
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const manifest = await getManifest(host, 'orchkit/app', run);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(pushed.digest);
    const byDigest = await getManifest(host, 'orchkit/app', pushed.digest ?? '');
    expect(byDigest.status).toBe(200);
    expect(JSON.parse(byDigest.body)).toMatchObject({ schemaVersion: 2 });
  }, 120_000);

  it('runs the pipeline steps as a workflow with engine: ${{ env.engine }} and the capability condition', async () => {
    const env = await detectCapabilities();
    const runtime = createRuntime({ tools: [buildImage, tagImage, pushImage], env: { ...env } });
    try {
      const result = await runtime.executeWorkflow({
        id: 'engine-pipeline', version: '1',
        steps: [
          { id: 'build', tool: 'build_image', when: 'env.containerEngine', input: { path: await context('FROM scratch\nCOPY hello.txt /\n'), tag: ref('wf'), engine: '${{ env.engine }}' } },
          { id: 'push', tool: 'push_image', dependsOn: ['build'], input: { tag: '${{ steps.build.output.tag }}', registry: `${open?.host ?? ''}/wf`, engine: '${{ env.engine }}' } },
        ],
      });
      expect(result.status).toBe('completed');
      const pushed = result.steps['push']?.output as { tag: string; digest: string };
      images.push(pushed.tag);
      expect((await getManifest(open?.host ?? '', `wf/localhost/orchkit-test-wf`, run)).status).toBe(200);
    } finally {
      await runtime.stop();
    }
  }, 120_000);

  it('runs RUN steps where the sandbox allows (falling back to chroot isolation on podman), from a locally built base', async () => {
    // No base image can be pulled here: the base is /bin/sh and its libraries copied from this machine.
    const dir = await context('FROM scratch\nCOPY rootfs/ /\nRUN echo built > /built.txt\n');
    const sh = (await runCommand('sh', ['-c', 'readlink -f /bin/sh'])).stdout.trim();
    const libs = (await runCommand('ldd', [sh])).stdout.match(/\/\S+/g) ?? [];
    for (const file of [sh, ...libs]) {
      await mkdir(join(dir, 'rootfs', dirname(file)), { recursive: true });
      await copyFile(file, join(dir, 'rootfs', file));
    }
    await mkdir(join(dir, 'rootfs', 'bin'), { recursive: true });
    if (sh !== '/bin/sh') await copyFile(sh, join(dir, 'rootfs', 'bin', 'sh'));
    const built = await buildImage.run(buildImage.input.parse({ path: dir, tag: ref('run') }), ctx);
    expect(built.engine).toBe(engine);
    if (built.notes.some((note) => note.includes('--isolation chroot'))) expect(built.builder).toBe('podman');
  }, 120_000);

  it('resolve_base_images: local images, a loopback registry\'s digest to pin, scratch and stage names skipped', async () => {
    const host = open?.host ?? '';
    const built = await buildImage.run(buildImage.input.parse({ path: await context('FROM scratch\nCOPY hello.txt /\n'), tag: ref('base') }), ctx);
    const [pushedRef] = (await tagImage.run(tagImage.input.parse({ source: built.tag, tags: [`${host}/base/img:${run}`] }), ctx)).tags;
    images.push(pushedRef ?? '');
    const pushed = await pushImage.run(pushImage.input.parse({ tag: pushedRef ?? '' }), ctx);
    const dockerfile = `FROM ${built.tag} AS one\nFROM one\nFROM scratch\nFROM ${host}/base/img:${run}\nFROM ${host}/base/missing:1\n`;
    const dir = await context(dockerfile);
    const result = await resolveBaseImages.run(resolveBaseImages.input.parse({ path: dir }), ctx);
    expect(result.images.map((image) => [image.image, image.line, image.local, image.registry])).toEqual([
      [built.tag, 1, true, 'unreachable'],
      [`${host}/base/img:${run}`, 4, true, 'available'],
      [`${host}/base/missing:1`, 5, false, 'not_found'],
    ]);
    expect(result.images[1]).toMatchObject({ digest: pushed.digest, pinned: `${host}/base/img:${run}@${pushed.digest ?? ''}` });
    expect(result).toMatchObject({ available: false, reason: expect.stringContaining('base/missing:1') });
    const scratchOnly = await resolveBaseImages.run(resolveBaseImages.input.parse({ path: await context('FROM scratch\n'), remote: false }), ctx);
    expect(scratchOnly).toMatchObject({ images: [], available: true });
  }, 120_000);

  it('names the failing Dockerfile line of a failed build, and a parse error\'s line', async () => {
    const missing = await failure(buildImage.run(buildImage.input.parse({ path: await context('FROM scratch\n\nCOPY nothing-here.txt /x\n'), tag: ref('bad') }), ctx));
    expect(missing).toMatchObject({ code: 'BUILD_FAILED', type: 'execution_error', retryable: false, details: { failing: { line: 3 } } });
    expect(missing.message).toMatch(/line 3/);
    const noShell = await failure(buildImage.run(buildImage.input.parse({ path: await context('FROM scratch\nCOPY hello.txt /\nRUN /bin/false\n'), tag: ref('bad') }), ctx));
    expect(noShell).toMatchObject({ code: 'BUILD_FAILED', details: { failing: { line: 3, instruction: 'RUN /bin/false' } } });
    const parse = await failure(buildImage.run(buildImage.input.parse({ path: await context('FROM scratch\nBOGUS hello.txt\n'), tag: ref('bad') }), ctx));
    expect(parse).toMatchObject({ code: 'DOCKERFILE_INVALID', type: 'validation_error', details: { line: 2 } });
  }, 120_000);

  it('is ENGINE_MISSING with a hint when PATH has no engine, for build, tag and push', async () => {
    vi.stubEnv('PATH', await mkdtemp(join(scratch, 'empty-path-')));
    const path = await context('FROM scratch\n');
    for (const call of [
      () => buildImage.run(buildImage.input.parse({ path, tag: 'x:1' }), ctx),
      () => tagImage.run(tagImage.input.parse({ source: 'x:1', tags: ['y:1'] }), ctx),
      () => pushImage.run(pushImage.input.parse({ tag: 'x:1', engine: 'podman' }), ctx),
    ]) {
      const error = await failure(call());
      expect(error).toMatchObject({ code: 'ENGINE_MISSING', type: 'unavailable', retryable: false });
      expect((error.details as { hint: string }).hint).toMatch(/apt-get install podman/);
    }
  });

  it('is IMAGE_NOT_FOUND for a tag of an image the engine does not have, REGISTRY_UNREACHABLE for a closed port', async () => {
    expect(await failure(tagImage.run(tagImage.input.parse({ source: `localhost/orchkit-none:${run}`, tags: ['y:1'] }), ctx))).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    const built = await buildImage.run(buildImage.input.parse({ path: await context('FROM scratch\nCOPY hello.txt /\n'), tag: ref('closed') }), ctx);
    const error = await failure(pushImage.run(pushImage.input.parse({ tag: built.tag, registry: '127.0.0.1:9' }), ctx));
    images.push(`127.0.0.1:9/${built.tag}`);
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE', retryable: true });
  }, 120_000);
});

suite(title('credentials against a registry with htpasswd auth'), () => {
  it('pushes with input credentials; a wrong password and none are REGISTRY_AUTH_FAILED, and no secret is echoed', async () => {
    const host = secured?.host ?? '';
    const built = await buildImage.run(buildImage.input.parse({ path: await context('FROM scratch\nCOPY hello.txt /\n'), tag: ref('auth') }), ctx);
    const target = `${host}/auth/app:${run}`;
    images.push(target);
    await tagImage.run(tagImage.input.parse({ source: built.tag, tags: [target] }), ctx);
    const wrong = await failure(pushImage.run(pushImage.input.parse({ tag: target, credentials: { username: REGISTRY_USER, password: 'wrong-password-42' } }), ctx));
    expect(wrong).toMatchObject({ code: 'REGISTRY_AUTH_FAILED', type: 'auth_error', retryable: false });
    expect(JSON.stringify({ message: wrong.message, details: wrong.details })).not.toContain('wrong-password-42');
    expect(await failure(pushImage.run(pushImage.input.parse({ tag: target }), ctx))).toMatchObject({ code: 'REGISTRY_AUTH_FAILED' });
    vi.stubEnv('ORCHKIT_TEST_REGISTRY_PASSWORD', REGISTRY_PASSWORD);
    const pushed = await pushImage.run(pushImage.input.parse({ tag: target, credentials: { username: REGISTRY_USER, passwordEnv: 'ORCHKIT_TEST_REGISTRY_PASSWORD' } }), ctx);
    expect(pushed.digest).toMatch(/^sha256:/);
    const manifest = await getManifest(host, 'auth/app', run, { credentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD } });
    expect(manifest.status).toBe(200);
    expect((await getManifest(host, 'auth/app', run)).status).toBe(401);
  }, 120_000);

  it('validate_credentials asks the registry: accepted, refused, and read from an auth file', async () => {
    const host = secured?.host ?? '';
    const good = await validateCredentials.run(validateCredentials.input.parse({ registry: host, credentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD } }), ctx);
    expect(good).toMatchObject({ registry: host, hasCredentials: true, source: 'input', verified: true, status: 200, action: 'retry' });
    const bad = await validateCredentials.run(validateCredentials.input.parse({ registry: host, credentials: { username: REGISTRY_USER, password: 'nope-123' } }), ctx);
    expect(bad).toMatchObject({ verified: false, status: 401, action: 'escalate' });
    expect(JSON.stringify(bad)).not.toContain('nope-123');
    const configPath = join(await mkdtemp(join(scratch, 'auth-')), 'auth.json');
    await writeFile(configPath, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64') } } }));
    const stored = await validateCredentials.run(validateCredentials.input.parse({ registry: `http://${host}/`, configPath }), ctx);
    expect(stored).toMatchObject({ source: 'auths', username: REGISTRY_USER, verified: true, action: 'retry' });
    expect(JSON.stringify(stored)).not.toContain(REGISTRY_PASSWORD);
    expect(await readFile(configPath, 'utf8')).toContain(host);
    const anonymous = await validateCredentials.run(validateCredentials.input.parse({ registry: open?.host ?? '', configPath }), ctx);
    expect(anonymous).toMatchObject({ hasCredentials: false, verified: true, action: 'retry' });
  });

  it('is REGISTRY_UNREACHABLE when nothing listens', async () => {
    const error = await failure(validateCredentials.run(validateCredentials.input.parse({ registry: '127.0.0.1:9', credentials: { username: 'u', password: 'p' } }), ctx));
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE', retryable: true });
  });
});

describe('engine commands run in their own process group', () => {
  it('kills the grandchildren too when the signal aborts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orchkit-pgroup-'));
    try {
      const pidFile = join(dir, 'pid');
      const controller = new AbortController();
      const running = runCommand('sh', ['-c', `sleep 30 & echo $! > ${pidFile}; wait`], { signal: controller.signal, processGroup: true, killGraceMs: 200 });
      let grandchild = 0;
      for (let i = 0; i < 100 && grandchild === 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        grandchild = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim() || 0);
      }
      expect(grandchild).toBeGreaterThan(0);
      controller.abort();
      expect(await failure(running)).toMatchObject({ code: 'CANCELLED' });
      let alive = true;
      for (let i = 0; i < 100 && alive; i += 1) {
        try {
          process.kill(grandchild, 0);
          await new Promise((resolve) => setTimeout(resolve, 20));
        } catch {
          alive = false;
        }
      }
      expect(alive).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
