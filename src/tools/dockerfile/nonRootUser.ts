import { APP_GID, APP_UID } from '../deployment/deploymentProfile.js';
import type { ImageFlavour } from './baseImages.js';

/** How a final stage gets an unprivileged user. */
export interface NonRootUser {
  /** `uid:gid` for `USER` and `--chown`: numeric, so Kubernetes `runAsNonRoot` can verify it. */
  owner: string;
  /** A RUN that creates a matching `app` account, when the image has the tools for it. */
  create?: string;
}

/**
 * The unprivileged user of a final stage: always the numeric {@link APP_UID}:{@link APP_GID}, the
 * same the generated manifests set as `runAsUser`/`runAsGroup`/`fsGroup`. Where the image has
 * `adduser`/`useradd`, an `app` account with that id is created so tools that look the user up
 * find a name and a home; distroless and server images run the bare number.
 *
 * @example
 * nonRootUser('alpine'); // { owner: '10001:10001', create: 'RUN addgroup -S -g 10001 app && ...' }
 */
export function nonRootUser(flavour: ImageFlavour | 'bare'): NonRootUser {
  const owner = `${APP_UID}:${APP_GID}`;
  if (flavour === 'alpine') return { owner, create: `RUN addgroup -S -g ${APP_GID} app && adduser -S -D -H -u ${APP_UID} -G app app` };
  if (flavour === 'debian') return { owner, create: `RUN groupadd --system --gid ${APP_GID} app && useradd --system --uid ${APP_UID} --gid app --no-create-home app` };
  return { owner };
}
