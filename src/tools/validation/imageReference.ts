/** The parts of an image reference. */
export interface ImageReference {
  /** `docker.io` for Docker Hub images written without a registry. */
  registry: string;
  /** Repository path without the registry; Docker Hub official images without `library/`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

/**
 * Splits `ghcr.io/acme/api:1.2.3@sha256:...` into registry, repository, tag and digest, the way
 * Docker reads it: the first component is a registry when it has a `.` or `:` or is `localhost`.
 *
 * @example
 * parseImageReference('node:22.12.0-alpine3.21'); // { registry: 'docker.io', repository: 'node', tag: '22.12.0-alpine3.21', digest: undefined }
 */
export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  const path = colon > slash ? name.slice(0, colon) : name;
  const first = path.split('/')[0] ?? '';
  const hasRegistry = path.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  const repository = (hasRegistry ? path.slice(first.length + 1) : path).replace(/^library\//, '');
  return { registry, repository, tag, digest };
}

/** True when `image` comes from one of `allowed` (`docker.io`, `ghcr.io/acme`). */
export function isAllowedRegistry(image: string, allowed: readonly string[]): boolean {
  const { registry, repository } = parseImageReference(image);
  const full = `${registry}/${repository}`;
  return allowed.some((entry) => {
    const prefix = entry.replace(/\/$/, '');
    return full === prefix || full.startsWith(`${prefix}/`) || registry === prefix;
  });
}
