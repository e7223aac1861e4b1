import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { engineErrors as errors } from './engine/engineErrors.js';
import { pushWithEngine } from './engine/pushWithEngine.js';
import { EngineInput, resolveEngine } from './engine/resolveEngine.js';
import { engineFailure, runEngine } from './engine/runEngine.js';
import { CredentialsSchema, credentialsOf, findStoredCredentials } from './registry/registryCredentials.js';
import { toolFailure } from './toolFailure.js';
import { parseImageReference } from './validation/imageReference.js';

/** An image reference that cannot be mistaken for a flag. */
export const ImageRef = z.string().min(1).regex(/^[^-\s]\S*$/, 'must not start with "-" or contain spaces');
/** A registry host with an optional path, e.g. `ghcr.io/acme` or `127.0.0.1:5000`. */
export const RegistryPrefix = z.string().min(1).regex(/^[^-\s/][^\s]*$/, 'a registry host with an optional path, e.g. ghcr.io/acme');

/**
 * Pushes a local image to any OCI registry with the machine's engine (docker or podman).
 * With `registry`, a tag that does not already name that registry is first tagged as
 * `<registry>/<tag>`. Credentials come from the input, else from the docker/podman auth
 * files; they reach the engine through a private temporary auth file and are never logged.
 *
 * @example
 * steps: [{ id: 'push', tool: 'push_image', input: { tag: 'app:1.0.0', registry: '127.0.0.1:5000', engine: '${{ env.engine }}' } }]
 */
export const pushImage = defineTool({
  name: 'push_image',
  description: 'Pushes a local image to an OCI registry with docker or podman; classifies auth and network failures',
  input: z.object({
    tag: ImageRef,
    registry: RegistryPrefix.optional(),
    engine: EngineInput,
    credentials: CredentialsSchema.optional(),
    tlsVerify: z.boolean().optional().describe('podman only: false pushes over plain HTTP; default false for loopback registries, else true'),
  }),
  output: z.object({ tag: z.string(), digest: z.string().optional() }),
  errors,
  timeoutMs: 30 * 60_000,
  async run(input, ctx) {
    const engine = await resolveEngine(input.engine, { signal: ctx.signal });
    const target = targetReference(input.tag, input.registry);
    if (target !== input.tag) {
      const tagged = await runEngine(engine, ['tag', input.tag, target], ctx);
      if (tagged.exitCode !== 0) throw engineFailure(engine, ['tag', input.tag, target], tagged);
    }
    const { registry } = parseImageReference(target);
    const given = input.credentials && credentialsOf(input.credentials);
    if (input.credentials && !given) {
      throw toolFailure(errors, 'REGISTRY_AUTH_FAILED', `credentials.passwordEnv names ${input.credentials.passwordEnv ?? ''}, which is not set: set it or pass the password`);
    }
    const credentials = given ?? await findStoredCredentials(registry);
    ctx.logger.info({ engine, target, credentials: credentials ? 'present' : 'engine default' }, 'image push starting');
    const pushed = await pushWithEngine(engine, target, { credentials, tlsVerify: input.tlsVerify }, ctx);
    return pushed.digest === undefined ? { tag: target } : { tag: target, digest: pushed.digest };
  },
});

/**
 * `registry` prefixed unless the tag already starts with it; scheme and trailing slash ignored.
 *
 * @example
 * targetReference('app:1', 'ghcr.io/acme'); // 'ghcr.io/acme/app:1'
 */
export function targetReference(tag: string, registry: string | undefined): string {
  if (!registry) return tag;
  const prefix = registry.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  return tag.startsWith(`${prefix}/`) ? tag : `${prefix}/${tag}`;
}
