import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { engineErrors as errors } from './engine/engineErrors.js';
import { EngineInput, resolveEngine } from './engine/resolveEngine.js';
import { engineFailure, runEngine } from './engine/runEngine.js';
import { ImageRef, RegistryPrefix, targetReference } from './pushImage.js';

/**
 * Gives a local image more references (`docker tag` / `podman tag`): each of `tags`, under
 * `registry` when given. A source the engine does not have is `IMAGE_NOT_FOUND`.
 *
 * @example
 * steps: [{ id: 'tag', tool: 'tag_image', input: { source: 'app:1.0.0', tags: ['app:1.0', 'app:1'], registry: '127.0.0.1:5000' } }]
 */
export const tagImage = defineTool({
  name: 'tag_image',
  description: 'Adds references to a local image with docker tag or podman tag, optionally under a registry',
  input: z.object({
    source: ImageRef.describe('a local image reference or id'),
    tags: z.array(ImageRef).min(1).describe('new references, e.g. app:1.0 or 127.0.0.1:5000/app:1.0'),
    registry: RegistryPrefix.optional().describe('prefixed to each tag that does not already name it'),
    engine: EngineInput,
  }),
  output: z.object({ source: z.string(), tags: z.array(z.string()), engine: z.enum(['docker', 'podman']) }),
  errors,
  async run(input, ctx) {
    const engine = await resolveEngine(input.engine, { signal: ctx.signal });
    const tags = [...new Set(input.tags.map((tag) => targetReference(tag, input.registry)))];
    for (const tag of tags) {
      const run = await runEngine(engine, ['tag', input.source, tag], ctx);
      if (run.exitCode !== 0) throw engineFailure(engine, ['tag', input.source, tag], run);
    }
    return { source: input.source, tags, engine };
  },
});
