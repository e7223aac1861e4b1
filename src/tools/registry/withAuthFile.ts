import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from '../engine/resolveEngine.js';
import { registryHost, type Credentials } from './registryCredentials.js';

/** How an engine command is pointed at a temporary auth file. */
export interface AuthFileUse {
  /** Extra arguments (podman: `--authfile <path>`). */
  args: string[];
  /** Extra environment (docker: `DOCKER_CONFIG=<dir>`). */
  env: Record<string, string>;
}

/**
 * Runs `use` with the credentials in a private (0600) temporary auth file that the engine
 * reads, then deletes it: the secret never appears on a command line (where `ps` shows it)
 * nor in a log. Without credentials `use` gets no extra arguments and the engine reads the
 * user's own auth files.
 *
 * @example
 * await withAuthFile('podman', 'localhost:5000', creds, ({ args, env }) => runEngine('podman', ['push', ...args, ref], ctx, { env }));
 */
export async function withAuthFile<T>(engine: EngineName, registry: string, credentials: Credentials | undefined, use: (auth: AuthFileUse) => Promise<T>): Promise<T> {
  if (!credentials) return use({ args: [], env: {} });
  const dir = await mkdtemp(join(tmpdir(), 'orchkit-auth-'));
  try {
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    const file = join(dir, engine === 'docker' ? 'config.json' : 'auth.json');
    await writeFile(file, JSON.stringify({ auths: { [registryHost(registry)]: { auth } } }), { mode: 0o600 });
    return await use(engine === 'docker' ? { args: [], env: { DOCKER_CONFIG: dir } } : { args: ['--authfile', file], env: {} });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
