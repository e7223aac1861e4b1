import { execForm } from './execForm.js';
import { nonRootUser } from './nonRootUser.js';
import type { RenderContext } from './RenderContext.js';
import { renderServe } from './renderServe.js';

const INSTALL = {
  npm: { all: 'npm ci', prod: 'npm ci --omit=dev', prune: 'npm prune --omit=dev' },
  yarn: { all: 'corepack enable && yarn install --frozen-lockfile', prod: 'corepack enable && yarn install --frozen-lockfile --production', prune: 'yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline' },
  pnpm: { all: 'corepack enable && pnpm install --frozen-lockfile', prod: 'corepack enable && pnpm install --frozen-lockfile --prod', prune: 'pnpm prune --prod' },
} as const;

/**
 * Node.js: dependencies installed in a build stage (with the lock file when there is one), the
 * app built there when it has a build step (TypeScript compiles before it can start) and pruned
 * to production dependencies, then copied into a fresh image that runs as the numeric app user.
 * The code stays owned by root, so the app cannot rewrite it.
 */
export function renderNodeDockerfile({ analysis, images, profile }: RenderContext): string[] {
  const manager = analysis.packageManager === 'yarn' || analysis.packageManager === 'pnpm' ? analysis.packageManager : 'npm';
  let commands: { all: string; prod: string; prune: string } = INSTALL[manager];
  if (manager === 'npm' && analysis.lockFile === undefined) {
    commands = { all: 'npm install --no-audit --no-fund', prod: 'npm install --omit=dev --no-audit --no-fund', prune: 'npm prune --omit=dev' };
  }
  const manifests = ['package.json', ...(analysis.lockFile === undefined ? [] : [analysis.lockFile])].join(' ');
  const built = analysis.buildCommand !== undefined;
  const user = nonRootUser(images.flavour);
  const chown = profile.readOnlyRootFilesystem ? '' : ` --chown=${user.owner}`;
  const lines = built
    ? [`FROM ${images.build} AS build`, 'WORKDIR /app', `COPY ${manifests} ./`, `RUN ${commands.all}`, 'COPY . .', `RUN ${analysis.buildCommand} && ${commands.prune}`]
    : [`FROM ${images.build} AS deps`, 'WORKDIR /app', `COPY ${manifests} ./`, `RUN ${commands.prod}`];
  lines.push(
    '',
    `FROM ${images.runtime} AS runtime`,
    `ENV NODE_ENV=production${profile.port === undefined ? '' : ` PORT=${profile.port}`}`,
    'WORKDIR /app',
    ...(user.create === undefined ? [] : [user.create]),
    ...(built ? [`COPY --from=build${chown} /app ./`] : [`COPY --from=deps${chown} /app/node_modules ./node_modules`, `COPY${chown} . .`]),
    ...renderServe(profile, images.runtime, `CMD ${execForm(analysis.startCommand)}`),
  );
  return lines;
}
