import type { RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';
import type { BaseImages } from './baseImages.js';
import { execForm } from './execForm.js';
import { renderHealthcheck } from './renderHealthcheck.js';

const INSTALL = {
  npm: { all: 'npm ci', prod: 'npm ci --omit=dev', prune: 'npm prune --omit=dev' },
  yarn: { all: 'corepack enable && yarn install --frozen-lockfile', prod: 'corepack enable && yarn install --frozen-lockfile --production', prune: 'yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline' },
  pnpm: { all: 'corepack enable && pnpm install --frozen-lockfile', prod: 'corepack enable && pnpm install --frozen-lockfile --prod', prune: 'pnpm prune --prod' },
} as const;

/**
 * Node.js: dependencies installed in a build stage (with the lock file when there is one), the
 * app built there when it has a build script and pruned to production dependencies, then copied
 * into a fresh image owned by and running as the image's `node` user.
 */
export function renderNodeDockerfile(analysis: RepositoryAnalysis, images: BaseImages): string[] {
  const manager = analysis.packageManager === 'yarn' || analysis.packageManager === 'pnpm' ? analysis.packageManager : 'npm';
  let commands: { all: string; prod: string; prune: string } = INSTALL[manager];
  if (manager === 'npm' && analysis.lockFile === undefined) {
    commands = { all: 'npm install --no-audit --no-fund', prod: 'npm install --omit=dev --no-audit --no-fund', prune: 'npm prune --omit=dev' };
  }
  const manifests = ['package.json', ...(analysis.lockFile === undefined ? [] : [analysis.lockFile])].join(' ');
  const built = analysis.buildCommand !== undefined;
  const lines = built
    ? [
        `FROM ${images.build} AS build`,
        'WORKDIR /app',
        `COPY ${manifests} ./`,
        `RUN ${commands.all}`,
        'COPY . .',
        `RUN ${analysis.buildCommand} && ${commands.prune}`,
      ]
    : [`FROM ${images.build} AS deps`, 'WORKDIR /app', `COPY ${manifests} ./`, `RUN ${commands.prod}`];
  lines.push(
    '',
    `FROM ${images.runtime} AS runtime`,
    `ENV NODE_ENV=production PORT=${analysis.port}`,
    'WORKDIR /app',
    ...(built ? ['COPY --from=build --chown=node:node /app ./'] : ['COPY --from=deps --chown=node:node /app/node_modules ./node_modules', 'COPY --chown=node:node . .']),
    'USER node',
    `EXPOSE ${analysis.port}`,
    ...renderHealthcheck({ image: images.runtime, port: analysis.port, path: analysis.healthCheckPath }),
    `CMD ${execForm(analysis.startCommand)}`,
  );
  return lines;
}
