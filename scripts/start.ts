// `npm start`: the main job on the embedded default. Copies a sample app to .orchkit/demo (so the
// repository stays clean), then runs examples/containerize.yaml on it with live progress. With a
// container engine (podman or docker) the image is built when its base images can be had; with a
// registry (ORCHKIT_REGISTRY=host:port, or one answering on 127.0.0.1:5000) it is pushed there too.
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runCommand } from '../src/cli/runCommand.js';
import { createCliLogger } from '../src/cli/createCliLogger.js';
import { pingRegistry } from '../src/tools/registry/registryClient.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = process.argv[2] ?? 'node-express';
const target = path.join(root, '.orchkit', 'demo', app);
await rm(target, { recursive: true, force: true });
await cp(path.join(root, 'examples', 'apps', app), target, { recursive: true });
const registry = await findRegistry(process.env['ORCHKIT_REGISTRY'] ?? '127.0.0.1:5000');
console.log(`containerizing a copy of examples/apps/${app} in ${path.relative(root, target)}`);
console.log(registry.host ? `pushing to the registry at ${registry.host}\n` : `not pushing: ${registry.why}\n`);
process.exitCode = await runCommand(path.join(root, 'examples', 'containerize.yaml'), {
  input: [`repoPath=${target}`, `appName=${app}`, ...(registry.host ? ['push=true', `registry=${registry.host}`] : [])],
  logger: createCliLogger('warn'),
});

/** The registry answers `GET /v2/` (200, or 401 when it wants credentials from the auth files). */
async function findRegistry(host: string): Promise<{ host?: string; why: string }> {
  try {
    const { status } = await pingRegistry(host, { timeoutMs: 2000 });
    return status === 200 || status === 401 ? { host, why: '' } : { why: `${host} answered GET /v2/ with HTTP ${status}` };
  } catch {
    return { why: `no registry answers at ${host} (start one: docker-registry serve <config>, or set ORCHKIT_REGISTRY)` };
  }
}
