import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../src/index.js';
import { buildImage } from '../src/tools/buildImage.js';

let dir: string;
let context: string;

/** A `docker` on PATH that answers `buildx version` as told and "builds" by writing the --iidfile. */
async function stubDocker(withBuildx: boolean): Promise<string> {
  const bin = await mkdtemp(join(dir, 'bin-'));
  const script = `#!/bin/sh
if [ "$1 $2" = "buildx version" ]; then ${withBuildx ? 'echo "github.com/docker/buildx v0.20.0"; exit 0' : 'echo "docker: unknown command: docker buildx" >&2; exit 1'}; fi
while [ $# -gt 0 ]; do
  if [ "$1" = "--iidfile" ]; then echo "sha256:0123456789abcdef" > "$2"; fi
  shift
done
echo "Step 1/1 : FROM scratch"
exit 0
`;
  await writeFile(join(bin, 'docker'), script);
  await chmod(join(bin, 'docker'), 0o755);
  return bin;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchkit-build-'));
  context = join(dir, 'app');
  await mkdir(context);
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\n');
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('build_image says which builder ran', () => {
  it('names the legacy builder in its output when buildx is missing', async () => {
    vi.stubEnv('PATH', `${await stubDocker(false)}:/usr/bin:/bin`);
    const runtime = createRuntime({ tools: [buildImage] });
    try {
      const output = await runtime.callTool('build_image', { path: context, tag: 'app:1' });
      expect(output).toMatchObject({ imageId: 'sha256:0123456789abcdef', builder: 'legacy', notes: [expect.stringContaining('legacy builder')] });
    } finally {
      await runtime.stop();
    }
  });

  it('says buildx, with no note, when buildx is there', async () => {
    vi.stubEnv('PATH', `${await stubDocker(true)}:/usr/bin:/bin`);
    const runtime = createRuntime({ tools: [buildImage] });
    try {
      expect(await runtime.callTool('build_image', { path: context, tag: 'app:1' })).toMatchObject({ builder: 'buildx', notes: [] });
    } finally {
      await runtime.stop();
    }
  });
});
