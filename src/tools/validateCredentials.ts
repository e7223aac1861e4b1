import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import type { ToolError } from '../errors/ToolError.js';
import { toolFailure } from './toolFailure.js';

const errors = {
  CONFIG_UNREADABLE: { type: ErrorType.validation, retryable: false, description: 'The Docker config exists but cannot be read or is not valid JSON of the expected shape' },
} as const satisfies Record<string, ToolErrorSpec>;

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

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

/**
 * The registry host as Docker keys it: no scheme, no path, and every Docker Hub alias as
 * `docker.io`.
 *
 * @example
 * normalizeRegistry('https://index.docker.io/v1/'); // 'docker.io'
 */
export function normalizeRegistry(registry: string): string {
  const host = registry.trim().replace(/^[a-z]+:\/\//i, '').split('/')[0]?.toLowerCase() ?? '';
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/**
 * Checks, without printing any secret, that the Docker config holds credentials for a
 * registry. As a remediation target it answers `action: 'retry'` when credentials are
 * there and `action: 'escalate'` with a `docker login` hint when they are not.
 *
 * @example
 * routingRules: [{ tool: 'push_image', errorCode: 'REGISTRY_AUTH_FAILED', remediation: 'validate_credentials' }]
 */
export const validateCredentials = defineTool({
  name: 'validate_credentials',
  description: 'Checks the Docker config for credentials of a registry (auths, credHelpers, credsStore) without revealing them',
  input: z.object({
    registry: z.string().min(1),
    configPath: z.string().min(1).optional().describe('default $DOCKER_CONFIG/config.json, else ~/.docker/config.json'),
  }),
  output: z.object({
    registry: z.string(),
    hasCredentials: z.boolean(),
    source: z.enum(['auths', 'credHelper', 'credsStore', 'none']),
    username: z.string().optional(),
    action: z.enum(['retry', 'escalate']),
    reason: z.string(),
  }),
  errors,
  async run(input, ctx) {
    const registry = normalizeRegistry(input.registry);
    const configPath = input.configPath !== undefined ? await ctx.resolvePath(input.configPath, 'configPath') : join(process.env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json');
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
    ctx.logger.debug({ registry, configPath, inline, credsStore: config.credsStore }, 'docker credentials checked');
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
  },
});

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
