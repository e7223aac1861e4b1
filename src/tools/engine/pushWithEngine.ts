import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolContext } from '../../actors/ToolContext.js';
import { isLoopbackRegistry } from '../registry/registryClient.js';
import type { Credentials } from '../registry/registryCredentials.js';
import { withAuthFile } from '../registry/withAuthFile.js';
import { parseImageReference } from '../validation/imageReference.js';
import type { EngineName } from './resolveEngine.js';
import { engineFailure, runEngine } from './runEngine.js';

/** Options of {@link pushWithEngine}. */
export interface PushOptions {
  credentials?: Credentials | undefined;
  /** podman only (docker's daemon decides): false pushes over plain HTTP. Default: false for loopback registries, else true. */
  tlsVerify?: boolean | undefined;
}

/**
 * `docker push` or `podman push` of a local reference, with credentials in a temporary auth
 * file; resolves with the registry's manifest digest (podman's `--digestfile`, docker's log).
 * Failures are typed by {@link engineFailure}: `REGISTRY_AUTH_FAILED`, `REGISTRY_UNREACHABLE`, ...
 *
 * @example
 * const { digest } = await pushWithEngine('podman', '127.0.0.1:5000/app:1', {}, ctx);
 */
export async function pushWithEngine(engine: EngineName, ref: string, options: PushOptions, ctx: Pick<ToolContext, 'signal' | 'progress'>): Promise<{ ref: string; digest?: string }> {
  const { registry } = parseImageReference(ref);
  const scratch = await mkdtemp(join(tmpdir(), 'orchkit-push-'));
  try {
    const digestFile = join(scratch, 'digest');
    const run = await withAuthFile(engine, registry, options.credentials, ({ args, env }) => {
      const tls = options.tlsVerify ?? !isLoopbackRegistry(registry);
      const extra = engine === 'podman' ? [...args, `--tls-verify=${String(tls)}`, '--digestfile', digestFile] : args;
      return runEngine(engine, ['push', ...extra, ref], ctx, { env });
    });
    if (run.exitCode !== 0) throw engineFailure(engine, ['push', ref], run);
    const fromFile = (await readFile(digestFile, 'utf8').catch(() => '')).trim();
    const digest = /^sha256:[0-9a-f]{64}$/.test(fromFile) ? fromFile : /digest:\s*(sha256:[0-9a-f]{64})/.exec(run.log.join('\n'))?.[1];
    return digest === undefined ? { ref } : { ref, digest };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
