import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { credentialPresence, presenceErrors, type CredentialPresence } from './registry/credentialPresence.js';
import { pingRegistry } from './registry/registryClient.js';
import { authFilePaths, CredentialsSchema, credentialsOf, findStoredCredentials, registryHost, type Credentials } from './registry/registryCredentials.js';

const errors = {
  ...presenceErrors,
  REGISTRY_UNREACHABLE: { type: ErrorType.unavailable, retryable: true, description: 'verify: the registry could not be reached (DNS, connection, TLS or timeout)' },
} as const satisfies Record<string, ToolErrorSpec>;

/**
 * Checks, without printing any secret, that credentials for a registry exist (input, or the
 * docker/podman auth files: auths, credHelpers, credsStore) and, with `verify` (default),
 * that the registry accepts them: `GET /v2/` with basic auth or the bearer-token exchange.
 * As a remediation target it answers `action: 'retry'` when the registry accepted them (or,
 * without verify, when they are there) and `action: 'escalate'` with a login hint otherwise.
 *
 * @example
 * routingRules: [{ tool: 'push_image', errorCode: 'REGISTRY_AUTH_FAILED', remediation: 'validate_credentials' }]
 */
export const validateCredentials = defineTool({
  name: 'validate_credentials',
  description: 'Checks registry credentials (input or docker/podman auth files) and verifies them against the registry (GET /v2/) without revealing them',
  input: z.object({
    registry: z.string().min(1),
    configPath: z.string().min(1).optional().describe('one auth file to read; default: podman auth.json files, then $DOCKER_CONFIG/config.json or ~/.docker/config.json'),
    credentials: CredentialsSchema.optional(),
    verify: z.boolean().default(true).describe('ask the registry whether it accepts the credentials'),
    tls: z.boolean().optional().describe('false speaks plain HTTP; default: HTTP for loopback registries, HTTPS elsewhere'),
  }),
  output: z.object({
    registry: z.string(),
    hasCredentials: z.boolean(),
    source: z.enum(['auths', 'credHelper', 'credsStore', 'input', 'none']),
    username: z.string().optional(),
    /** The registry's verdict: true accepted, false refused; absent when not asked. */
    verified: z.boolean().optional(),
    /** HTTP status of `GET /v2/`, when asked. */
    status: z.number().int().optional(),
    action: z.enum(['retry', 'escalate']),
    reason: z.string(),
  }),
  errors,
  async run(input, ctx) {
    const registry = registryHost(input.registry);
    const paths = input.configPath ? [await ctx.resolvePath(input.configPath, 'configPath')] : authFilePaths();
    let presence: CredentialPresence | undefined;
    let credentials: Credentials | undefined;
    if (input.credentials) {
      credentials = credentialsOf(input.credentials);
      presence = credentials
        ? { registry, hasCredentials: true, source: 'input', username: credentials.username, action: 'retry', reason: `credentials for user ${credentials.username} given as input` }
        : { registry, hasCredentials: false, source: 'none', action: 'escalate', reason: `environment variable ${input.credentials.passwordEnv ?? ''} is not set` };
    } else {
      for (const path of paths) {
        const found = await credentialPresence(registry, path, ctx.logger);
        if (found.hasCredentials || !presence) presence = found;
        if (found.hasCredentials) break;
      }
      credentials = await findStoredCredentials(registry, paths);
    }
    const result = presence ?? { registry, hasCredentials: false, source: 'none' as const, action: 'escalate' as const, reason: `no auth file for ${registry}` };
    if (!input.verify || (!credentials && result.hasCredentials)) return result;
    const answer = await pingRegistry(registry, { credentials, tls: input.tls, signal: ctx.signal });
    const who = credentials ? `user ${credentials.username}` : 'anonymous access';
    if (answer.status === 200) return { ...result, verified: true, status: 200, action: 'retry' as const, reason: `${registry} accepts ${who}` };
    if (answer.status === 401 || answer.status === 403) {
      const login = `run \`podman login ${registry}\` or \`docker login ${registry}\`, or pass credentials`;
      return { ...result, verified: false, status: answer.status, action: 'escalate' as const, reason: `${registry} refused ${who} (HTTP ${answer.status}); ${login}` };
    }
    return { ...result, verified: false, status: answer.status, action: 'escalate' as const, reason: `${registry} answered GET /v2/ with HTTP ${answer.status}` };
  },
});
