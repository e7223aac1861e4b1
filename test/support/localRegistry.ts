import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/tools/commandRunner.js';

/** The user and password of the htpasswd registry; the bcrypt hash below is of this password. */
export const REGISTRY_USER = 'tester';
export const REGISTRY_PASSWORD = 'orchkit-secret';
// bcrypt (cost 10) of REGISTRY_PASSWORD, made once with python3's crypt: the registry takes only bcrypt htpasswd lines.
const HTPASSWD = `${REGISTRY_USER}:$2b$10$mS5wyZLXyZ3CThqk3zvp6eJasW1DDVxT1mqGeNVa9GHomlYEFD7QG\n`;

/** A running Debian docker-registry (CNCF distribution) on 127.0.0.1. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`. */
  host: string;
  auth: boolean;
  stop(): Promise<void>;
}

/**
 * Why a local registry cannot be started here, or undefined when `docker-registry` runs.
 *
 * @example
 * const why = await registryUnavailable();
 */
export async function registryUnavailable(): Promise<string | undefined> {
  try {
    const result = await runCommand('docker-registry', ['--version'], { timeoutMs: 5000 });
    return result.exitCode === 0 ? undefined : `docker-registry --version exited ${String(result.exitCode)}`;
  } catch (error) {
    return `docker-registry is not installed (apt-get install docker-registry): ${(error as Error).message}`;
  }
}

/**
 * Starts `docker-registry serve` on a free loopback port with its storage in a temporary
 * directory (and htpasswd auth when `auth`), and waits until `GET /v2/` answers.
 *
 * @example
 * const registry = await startLocalRegistry({ auth: true }); try { ... } finally { await registry.stop(); }
 */
export async function startLocalRegistry(options: { auth?: boolean } = {}): Promise<LocalRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'orchkit-registry-'));
  const port = await freePort();
  const auth = options.auth === true;
  if (auth) await writeFile(join(dir, 'htpasswd'), HTPASSWD);
  const config = [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
    `http: { addr: "127.0.0.1:${port}", secret: orchkit-test }`,
    ...(auth ? [`auth: { htpasswd: { realm: orchkit, path: ${join(dir, 'htpasswd')} } }`] : []),
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), `${config}\n`);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  const host = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await kill(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForRegistry(host, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, auth, stop };
}

async function waitForRegistry(host: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${String(child.exitCode)}: ${stderr()}`);
    const status = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer on ${host} within 15 s: ${stderr()}`);
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
