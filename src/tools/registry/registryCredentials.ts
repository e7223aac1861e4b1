import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runCommand } from '../commandRunner.js';

/** `{ username, password }` for one registry. */
export interface Credentials { username: string; password: string }

/**
 * Registry credentials as tool input: the password itself, or the name of an environment
 * variable holding it (`passwordEnv`, which keeps the secret out of run journals and debug
 * logs of tool input). Tools never log nor return the password.
 */
export const CredentialsSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1).optional().describe('password or token; tools never log nor return it (the runtime logs tool input at debug level: prefer passwordEnv)'),
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('name of an environment variable holding the password'),
}).refine((c) => (c.password === undefined) !== (c.passwordEnv === undefined), { message: 'give exactly one of password and passwordEnv' })
  .describe('registry credentials; without them the docker/podman auth files are used');
/** Credentials as a tool receives them. */
export type CredentialsInput = z.infer<typeof CredentialsSchema>;

/**
 * The password of credentials input, read from `passwordEnv` when that is how it was given;
 * undefined when that variable is unset or empty.
 *
 * @example
 * const credentials = input.credentials && credentialsOf(input.credentials);
 */
export function credentialsOf(input: CredentialsInput, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const password = input.password ?? (input.passwordEnv === undefined ? undefined : env[input.passwordEnv]);
  return password ? { username: input.username, password } : undefined;
}

/** Where stored credentials came from (a path, or `docker-credential-<helper>`); never the secret. */
export interface StoredCredentials extends Credentials {
  source: string;
}

const AuthEntry = z.object({ auth: z.string().optional(), username: z.string().optional(), password: z.string().optional() }).passthrough();
const AuthFile = z.object({
  auths: z.record(z.string(), AuthEntry).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
}).passthrough();

/**
 * The auth files podman and docker read, in podman's order: `REGISTRY_AUTH_FILE`, the
 * runtime dir's `containers/auth.json`, `~/.config/containers/auth.json`, then Docker's
 * `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
 *
 * @example
 * authFilePaths(process.env); // ['/run/user/0/containers/auth.json', ...]
 */
export function authFilePaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const paths: string[] = [];
  if (env['REGISTRY_AUTH_FILE']) paths.push(env['REGISTRY_AUTH_FILE']);
  if (env['XDG_RUNTIME_DIR']) paths.push(join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json'));
  paths.push(join(homedir(), '.config', 'containers', 'auth.json'));
  paths.push(join(env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json'));
  return paths;
}

/**
 * The registry host as the auth files key it: no scheme, no path; Docker Hub aliases as
 * `docker.io`.
 *
 * @example
 * registryHost('https://127.0.0.1:5000/v2/'); // '127.0.0.1:5000'
 */
export function registryHost(registry: string): string {
  const host = registry.trim().replace(/^[a-z]+:\/\//i, '').split('/')[0]?.toLowerCase() ?? '';
  return ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host) ? 'docker.io' : host;
}

/**
 * Credentials for `registry` from the first auth file (or its credential helper) that
 * has them; undefined when none does. Unreadable files are skipped: this is a lookup,
 * `validate_credentials` reports broken files.
 *
 * @example
 * const stored = await findStoredCredentials('127.0.0.1:5000');
 */
export async function findStoredCredentials(registry: string, paths: readonly string[] = authFilePaths()): Promise<StoredCredentials | undefined> {
  const host = registryHost(registry);
  for (const path of paths) {
    const file = await readAuthFile(path);
    if (!file) continue;
    const entry = Object.entries(file.auths ?? {}).find(([key]) => registryHost(key) === host)?.[1];
    const inline = entry ? decodeEntry(entry) : undefined;
    if (inline) return { ...inline, source: path };
    const helper = Object.entries(file.credHelpers ?? {}).find(([key]) => registryHost(key) === host)?.[1] ?? (entry ? file.credsStore : undefined);
    if (helper) {
      const fromHelper = await askHelper(helper, host);
      if (fromHelper) return fromHelper;
    }
  }
  return undefined;
}

function decodeEntry(entry: z.infer<typeof AuthEntry>): Credentials | undefined {
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}

async function readAuthFile(path: string): Promise<z.infer<typeof AuthFile> | undefined> {
  try {
    const parsed = AuthFile.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The docker credential-helper protocol: the host on stdin, `{ Username, Secret }` on stdout. */
async function askHelper(helper: string, host: string): Promise<StoredCredentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) return undefined;
  try {
    const result = await runCommand(`docker-credential-${helper}`, ['get'], { input: host, timeoutMs: 10_000 });
    if (result.exitCode !== 0) return undefined;
    const answer = z.object({ Username: z.string().min(1), Secret: z.string().min(1) }).safeParse(JSON.parse(result.stdout));
    return answer.success ? { username: answer.data.Username, password: answer.data.Secret, source: `docker-credential-${helper}` } : undefined;
  } catch {
    return undefined;
  }
}
