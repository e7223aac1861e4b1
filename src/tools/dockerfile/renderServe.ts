import type { DeploymentProfile } from '../deployment/deploymentProfile.js';
import { renderHealthcheck } from './renderHealthcheck.js';

/**
 * The end of every generated final stage: the numeric non-root `USER`, `EXPOSE` of the port (none
 * for an app without one) and the `HEALTHCHECK` the profile asks for, then the start line.
 *
 * @example
 * renderServe(profile, 'node:22.12.0-alpine3.21', 'CMD ["node", "server.js"]');
 */
export function renderServe(profile: DeploymentProfile, image: string, start: string): string[] {
  return [
    `USER ${profile.uid}:${profile.gid}`,
    ...(profile.port === undefined ? [] : [`EXPOSE ${profile.port}`]),
    ...renderHealthcheck({ image, port: profile.port, health: profile.health, startPeriodSeconds: profile.startSeconds }),
    start,
  ];
}
