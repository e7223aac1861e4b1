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
export function renderNodeDockerfile(context: RenderContext): string[] {
  const { analysis, images, profile } = context;
  if (analysis.workspace?.manager === 'npm' && 'module' in analysis && typeof analysis.module === 'string' && analysis.module !== '') {
    return renderWorkspaceDockerfile(context, analysis.module, analysis.workspace);
  }
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

/**
 * A module of an npm workspace, built from the repository root: the root manifest and lock file
 * and every member's package.json first (a cached install layer), `npm ci` for this workspace
 * only, then the sources; the app starts from its own directory, its sibling packages resolved
 * through the workspace links in the root node_modules.
 */
function renderWorkspaceDockerfile({ analysis, images, profile }: RenderContext, module: string, workspace: NonNullable<RenderContext['analysis']['workspace']>): string[] {
  const locked = workspace.lockFile !== undefined;
  const install = locked ? 'npm ci' : 'npm install --no-audit --no-fund';
  const built = analysis.buildCommand !== undefined;
  const user = nonRootUser(images.flavour);
  return [
    `# Build context: the repository root (docker build -f ${module}/Dockerfile .).`,
    `FROM ${images.build} AS build`,
    'WORKDIR /repo',
    `COPY package.json ${workspace.lockFile ?? ''}`.trimEnd() + ' ./',
    ...workspace.packages.map((member) => `COPY ${member}/package.json ${member}/`),
    `RUN ${install} --workspace ${module}${built ? '' : ' --omit=dev'} --include-workspace-root=false`,
    'COPY . .',
    ...(built ? [`RUN npm run build --workspace ${module} && npm prune --omit=dev --workspace ${module} --include-workspace-root=false`] : []),
    '',
    `FROM ${images.runtime} AS runtime`,
    `ENV NODE_ENV=production${profile.port === undefined ? '' : ` PORT=${profile.port}`}`,
    ...(user.create === undefined ? [] : [user.create]),
    `COPY --from=build${profile.readOnlyRootFilesystem ? '' : ` --chown=${user.owner}`} /repo /repo`,
    `WORKDIR /repo/${module}`,
    ...renderServe(profile, images.runtime, `CMD ${execForm(analysis.startCommand)}`),
  ];
}
