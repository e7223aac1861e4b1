import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { isToolError } from '../errors/ToolError.js';
import { pinnedImage } from './dockerfile/pinnedImages.js';
import { dockerfilePath } from './dockerfile/dockerfilePath.js';
import { EngineInput, resolveEngine, type EngineName } from './engine/resolveEngine.js';
import { runEngine } from './engine/runEngine.js';
import { getManifest } from './registry/registryClient.js';
import { toolFailure } from './toolFailure.js';
import { parseImageReference } from './validation/imageReference.js';

const errors = {
  DOCKERFILE_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'No Dockerfile at the path' },
} as const satisfies Record<string, ToolErrorSpec>;

const BaseImage = z.object({
  image: z.string(),
  line: z.number().int().positive(),
  /** The engine has it locally (no pull needed). */
  local: z.boolean(),
  /** What the image's registry said: `available` with a digest, or why not; `not_checked` with remote false. */
  registry: z.enum(['available', 'not_found', 'refused', 'unreachable', 'not_checked']),
  digest: z.string().optional(),
  /** `image@digest`, when the registry gave a digest. */
  pinned: z.string().optional(),
  /** A pinned or smaller maintained image of the same stack, when one is known. */
  suggestion: z.string().optional(),
});

/**
 * Lists the base images of a Dockerfile (every `FROM` that is not `scratch` or an earlier
 * stage) and finds out whether a build can have them: present in the engine's store, or
 * served by their registry (with the digest to pin them to). `available` is true when every
 * one can be had, so a workflow builds only then.
 *
 * @example
 * steps: [{ id: 'bases', tool: 'resolve_base_images', input: { path: './app', engine: '${{ env.engine }}' } }]
 */
export const resolveBaseImages = defineTool({
  name: 'resolve_base_images',
  description: 'Finds the base images of a Dockerfile, whether the engine has them or their registry serves them (with digests to pin), and pinned or smaller maintained alternatives',
  input: z.object({
    path: z.string().min(1).describe('the Dockerfile, or the directory holding it'),
    dockerfile: z.string().min(1).default('Dockerfile').describe('file name when path is a directory'),
    engine: EngineInput,
    remote: z.boolean().default(true).describe('ask each image\'s registry for its manifest (HTTP, 5 s limit)'),
  }),
  output: z.object({ images: z.array(BaseImage), available: z.boolean(), reason: z.string() }),
  errors,
  async run(input, ctx) {
    const file = await ctx.resolvePath(await dockerfilePath(await ctx.resolvePath(input.path), input.dockerfile), 'dockerfile');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) throw toolFailure(errors, 'DOCKERFILE_NOT_FOUND', `no Dockerfile at ${file}`, { path: file });
    const engine = await resolveEngine(input.engine, { signal: ctx.signal }).catch((error: unknown) => {
      if (isToolError(error) && error.code === 'ENGINE_MISSING') return undefined;
      throw error;
    });
    const images: Array<z.infer<typeof BaseImage>> = [];
    const seen = new Map<string, Omit<z.infer<typeof BaseImage>, 'image' | 'line'>>();
    for (const { image, line } of baseImagesOf(text)) {
      const known = seen.get(image);
      if (known) {
        images.push({ image, line, ...known });
        continue;
      }
      const local = engine ? await hasLocally(engine, image, ctx.signal) : false;
      const remote: { registry: z.infer<typeof BaseImage>['registry']; digest?: string } = input.remote ? await askRegistry(image, ctx.signal) : { registry: 'not_checked' };
      const { tag, digest } = parseImageReference(image);
      // Only an unpinned image gets a suggestion: a pinned one was chosen, and the table may be older than it.
      const suggestion = digest === undefined && (tag === undefined || tag === 'latest') ? pinnedImage(image.replace(/:latest$/, '')) : undefined;
      const entry = { local, ...remote, ...(remote.digest ? { pinned: `${image.replace(/@.*$/, '')}@${remote.digest}` } : {}), ...(suggestion ? { suggestion } : {}) };
      seen.set(image, entry);
      images.push({ image, line, ...entry });
    }
    const missing = [...new Map(images.filter((image) => !image.local && image.registry !== 'available').map((image) => [image.image, image])).values()];
    const reason = missing.length === 0
      ? (images.length === 0 ? 'no base image to pull (FROM scratch)' : 'every base image is local or served by its registry')
      : `not available here: ${missing.map((image) => `${image.image} (${image.registry === 'not_checked' ? 'not local' : `registry ${image.registry}`})`).join(', ')}`;
    return { images, available: missing.length === 0, reason };
  },
});


/** `FROM [--platform=...] image [AS name]`, skipping `scratch`, earlier stage names and images built from ARGs. */
function baseImagesOf(dockerfile: string): Array<{ image: string; line: number }> {
  const stages = new Set<string>();
  const found: Array<{ image: string; line: number }> = [];
  dockerfile.split(/\r?\n/).forEach((text, index) => {
    const match = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(text);
    if (!match?.[1]) return;
    const image = match[1];
    if (image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase()) && !image.includes('$')) found.push({ image, line: index + 1 });
    if (match[2]) stages.add(match[2].toLowerCase());
  });
  return found;
}

async function hasLocally(engine: EngineName, image: string, signal: AbortSignal): Promise<boolean> {
  const args = engine === 'podman' ? ['image', 'exists', image] : ['image', 'inspect', '--format', '{{.Id}}', image];
  const run = await runEngine(engine, args, { signal, progress: () => undefined });
  return run.exitCode === 0;
}

async function askRegistry(image: string, signal: AbortSignal): Promise<{ registry: 'available' | 'not_found' | 'refused' | 'unreachable'; digest?: string }> {
  const { registry, repository, tag, digest } = parseImageReference(image);
  const path = registry === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository;
  try {
    const answer = await getManifest(registry, path, digest ?? tag ?? 'latest', { signal, timeoutMs: 5000 });
    if (answer.status === 200) {
      const found = answer.headers.get('docker-content-digest') ?? digest;
      return found ? { registry: 'available', digest: found } : { registry: 'available' };
    }
    return { registry: answer.status === 404 ? 'not_found' : answer.status === 401 || answer.status === 403 ? 'refused' : 'unreachable' };
  } catch (error) {
    if (isToolError(error) && error.code === 'REGISTRY_UNREACHABLE') return { registry: 'unreachable' };
    throw error;
  }
}
