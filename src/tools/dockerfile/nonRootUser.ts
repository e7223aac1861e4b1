import type { ImageFlavour } from './baseImages.js';

/** How a final stage gets an unprivileged user. */
export interface NonRootUser {
  /** Name for `USER` and `--chown`. */
  name: string;
  /** A RUN that creates it, when the image does not ship one. */
  create?: string;
}

/**
 * The unprivileged user of a final stage: the `node` user of the official Node images, `nonroot`
 * of distroless, else an `app` system user (uid 10001) created with the image's own tools.
 *
 * @example
 * nonRootUser('node:22.12.0-alpine3.21', 'alpine'); // { name: 'node' }
 */
export function nonRootUser(image: string, flavour: ImageFlavour): NonRootUser {
  const name = image.replace(/^.*\//, '');
  if (name.startsWith('node:')) return { name: 'node' };
  if (flavour === 'distroless') return { name: 'nonroot' };
  if (flavour === 'alpine') return { name: 'app', create: 'RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app app' };
  return { name: 'app', create: 'RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app' };
}
