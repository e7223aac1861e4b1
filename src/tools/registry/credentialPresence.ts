import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ToolErrorSpec } from '../../actors/defineTool.js';
import { ErrorType } from '../../errors/ErrorInfo.js';
import type { ToolError } from '../../errors/ToolError.js';
import { toolFailure } from '../toolFailure.js';
import { registryHost as normalizeRegistry } from './registryCredentials.js';

/** The error `validate_credentials` throws for a broken auth file. */
export const presenceErrors = {
  CONFIG_UNREADABLE: { type: ErrorType.validation, retryable: false, description: 'The Docker config exists but cannot be read or is not valid JSON of the expected shape' },
} as const satisfies Record<string, ToolErrorSpec>;
const errors = presenceErrors;

const DOCKER_HUB = 'docker.io';

// Only what is needed; the secret fields are read to decide presence, never copied out.
const AuthEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const DockerConfig = z.object({
  auths: z.record(z.string(), AuthEntry).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});

/** What an auth file says of a registry, without any secret. */
export interface CredentialPresence {
  registry: string;
  hasCredentials: boolean;
  source: 'auths' | 'credHelper' | 'credsStore' | 'input' | 'none';
  username?: string;
  action: 'retry' | 'escalate';
  reason: string;
}

/**
 * Whether the auth file at `configPath` (docker's `config.json` or podman's `auth.json`, same
 * shape) holds credentials for `registry`, and where: inline, a credential helper or the
 * credentials store. Throws `CONFIG_UNREADABLE` for a file that exists but does not parse.
 *
 * @example
 * const presence = await credentialPresence('ghcr.io', '/root/.docker/config.json', logger);
 */
export async function credentialPresence(registry: string, configPath: string, logger: Logger): Promise<CredentialPresence> {
  const config = await readConfig(configPath);
  const login = registry === DOCKER_HUB ? 'run `docker login`' : `run \`docker login ${registry}\``;
  if (!config) {
    return { registry, hasCredentials: false, source: 'none', action: 'escalate', reason: `no Docker config at ${configPath}; ${login} to store credentials` } as const;
  }
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => normalizeRegistry(key) === registry)?.[1];
  if (helper) {
    return { registry, hasCredentials: true, source: 'credHelper', action: 'retry', reason: `credentials come from docker-credential-${helper}` } as const;
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => normalizeRegistry(key) === registry)?.[1];
  const username = entry ? usernameOf(entry) : undefined;
  const inline = entry !== undefined && Boolean(entry.auth || entry.identitytoken || (entry.username && entry.password));
  logger.debug({ registry, configPath, inline, credsStore: config.credsStore }, 'docker credentials checked');
  // With a credsStore, `docker login` leaves an empty `auths` entry as the marker that the store has the secret.
  if (config.credsStore && !inline) {
    return entry
      ? { registry, hasCredentials: true, source: 'credsStore', action: 'retry', reason: `credentials are in docker-credential-${config.credsStore}` } as const
      : { registry, hasCredentials: false, source: 'none', action: 'escalate', reason: `docker-credential-${config.credsStore} has no login recorded for ${registry}; ${login}` } as const;
  }
  if (inline) {
    const who = username === undefined ? '' : ` for user ${username}`;
    return { registry, hasCredentials: true, source: 'auths', action: 'retry', reason: `credentials${who} are stored in ${configPath}`, ...(username === undefined ? {} : { username }) } as const;
  }
  return { registry, hasCredentials: false, source: 'none', action: 'escalate', reason: `no credentials for ${registry} in ${configPath}; ${login}` } as const;
}

async function readConfig(path: string): Promise<z.infer<typeof DockerConfig> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(path, (error as Error).message, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // The JSON.parse message can quote the text around the error, which may be a secret: keep only the position.
    const position = /position \d+|line \d+ column \d+/.exec((error as Error).message)?.[0];
    throw unreadable(path, `not valid JSON${position ? ` (at ${position})` : ''}`);
  }
  const parsed = DockerConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw unreadable(path, `unexpected shape at ${issue?.path.join('.') || '<root>'}: ${issue?.code ?? 'invalid'}`);
  }
  return parsed.data;
}

function usernameOf(entry: z.infer<typeof AuthEntry>): string | undefined {
  if (entry.username) return entry.username;
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}

function unreadable(path: string, why: string, cause?: unknown): ToolError {
  return toolFailure(errors, 'CONFIG_UNREADABLE', `Docker config ${path} is unreadable: ${why}`, undefined, cause);
}
