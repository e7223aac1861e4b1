/**
 * Replacements for moving image references, by image name (registry prefix `docker.io/library/`
 * dropped). `pinned` is the same variant as `latest` at a fixed version, so a pin changes nothing
 * but reproducibility; `slim` and `slimDebian` are smaller images with fewer packages (so fewer
 * CVEs) for when a scan fails — Alpine (musl) first, Debian slim when the stage uses apt/useradd.
 */
const IMAGES: Record<string, { pinned: string; slim: string; slimDebian: string }> = {
  node: { pinned: 'node:22.12.0-bookworm', slim: 'node:22.12.0-alpine3.21', slimDebian: 'node:22.12.0-bookworm-slim' },
  python: { pinned: 'python:3.12.8-bookworm', slim: 'python:3.12.8-alpine3.21', slimDebian: 'python:3.12.8-slim-bookworm' },
  golang: { pinned: 'golang:1.23.4-bookworm', slim: 'golang:1.23.4-alpine3.21', slimDebian: 'golang:1.23.4-bookworm' },
  'eclipse-temurin': { pinned: 'eclipse-temurin:21.0.5_11-jdk', slim: 'eclipse-temurin:21.0.5_11-jre-alpine', slimDebian: 'eclipse-temurin:21.0.5_11-jre' },
  openjdk: { pinned: 'eclipse-temurin:21.0.5_11-jdk', slim: 'eclipse-temurin:21.0.5_11-jre-alpine', slimDebian: 'eclipse-temurin:21.0.5_11-jre' },
  maven: { pinned: 'maven:3.9.9-eclipse-temurin-21', slim: 'maven:3.9.9-eclipse-temurin-21-alpine', slimDebian: 'maven:3.9.9-eclipse-temurin-21' },
  alpine: { pinned: 'alpine:3.21.0', slim: 'alpine:3.21.0', slimDebian: 'debian:12.8-slim' },
  debian: { pinned: 'debian:12.8', slim: 'debian:12.8-slim', slimDebian: 'debian:12.8-slim' },
  ubuntu: { pinned: 'ubuntu:24.04', slim: 'ubuntu:24.04', slimDebian: 'ubuntu:24.04' },
  nginx: { pinned: 'nginx:1.27.3', slim: 'nginx:1.27.3-alpine', slimDebian: 'nginx:1.27.3' },
};

function family(imageName: string): string {
  return imageName.replace(/^(?:docker\.io\/)?(?:library\/)?/, '');
}

/**
 * The pinned equivalent of an unpinned (`latest` or untagged) image, when the image is known.
 *
 * @example
 * pinnedImage('node'); // 'node:22.12.0-bookworm'
 */
export function pinnedImage(imageName: string): string | undefined {
  return IMAGES[family(imageName)]?.pinned;
}

/**
 * A smaller, current image to move a vulnerable stage to, or undefined when the image is unknown
 * or already the suggestion. `debianOnly` keeps Debian when the stage runs apt-get or useradd.
 *
 * @example
 * slimmerImage('node:18-bullseye', false); // 'node:22.12.0-alpine3.21'
 */
export function slimmerImage(image: string, debianOnly: boolean): string | undefined {
  const name = image.replace(/[:@].*$/, '');
  const known = IMAGES[family(name)];
  if (known === undefined) return undefined;
  const suggestion = debianOnly ? known.slimDebian : known.slim;
  return suggestion === image ? undefined : suggestion;
}
