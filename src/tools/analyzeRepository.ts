import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { detectApp } from './analysis/detectApp.js';
import { findDeploymentFiles } from './analysis/findDeploymentFiles.js';
import { findModules } from './analysis/findModules.js';
import { createRepoReader } from './analysis/RepoReader.js';
import { RepositoryAnalysisSchema, type ModuleAnalysis, type RepositoryAnalysis } from './analysis/RepositoryAnalysisSchema.js';
import { toolFailure } from './toolFailure.js';

export { RepositoryAnalysisSchema, type RepositoryAnalysis };

/** Shared-context type under which the analysis is published for later steps and remediation. */
export const REPOSITORY_ANALYSIS_CONTEXT = 'repository_analysis';

const errors = {
  REPO_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'the path is not a readable directory' },
  UNSUPPORTED_LANGUAGE: { type: ErrorType.validation, retryable: false, description: 'no Node.js, Python, Go, Java, .NET or Rust project at the path (nor in its modules)' },
  MODULE_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'the module asked for holds no app this tool recognises' },
} as const;

const ROOT_LOCK_FILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'Cargo.lock', 'go.work.sum'];

/**
 * `analyze_repository`: reads a local repository and reports its language, framework, package
 * manager, declared language version, entry point (checked to exist), port (none for a stdio
 * server), health check, build and start commands, dependency counts, what was guessed and why,
 * and the Dockerfiles and Kubernetes manifests it already has. The result is also shared in the
 * session's context as `repository_analysis`.
 *
 * A monorepo (npm/pnpm workspaces, a Cargo workspace, Maven modules, `go.work`, or a root that is
 * no app but has apps in its directories) is analysed per module: `modules` lists them all and
 * the top-level facts describe `module` — the one asked for, else the first that serves a port.
 *
 * Errors: `REPO_NOT_FOUND` (not_found), `UNSUPPORTED_LANGUAGE` (validation_error),
 * `MODULE_NOT_FOUND` (not_found); none is retryable.
 *
 * @example
 * const analysis = await ctx.request('analyze_repository', { path: './examples/apps/node-express' });
 * analysis.framework; // 'express'
 */
export const analyzeRepository = defineTool({
  name: 'analyze_repository',
  description: 'Detects language, framework, package manager, port, health check, build/start commands, monorepo modules and existing Docker/Kubernetes files of a local repository',
  input: z.object({
    path: z.string().min(1).describe('Local directory of the repository'),
    module: z.string().optional().describe('Module of a monorepo to describe, relative to path (default: the first app)'),
  }),
  output: RepositoryAnalysisSchema,
  errors,
  timeoutMs: 30_000,
  async run(input, ctx) {
    const root = await ctx.resolvePath(input.path);
    const info = await stat(root).catch(() => undefined);
    if (info?.isDirectory() !== true) throw toolFailure(errors, 'REPO_NOT_FOUND', `no directory at ${root}`, { path: root });

    const repo = createRepoReader(root, ctx.signal);
    const atRoot = await detectApp(repo);
    const { modules: dirs, declaredBy } = await findModules(repo, atRoot === undefined);
    const npmLock = declaredBy === 'npm workspaces' ? await repo.firstExisting(['package-lock.json', 'npm-shrinkwrap.json']) : undefined;
    const npmWorkspace = declaredBy === 'npm workspaces' && !(await repo.exists('pnpm-lock.yaml')) && !(await repo.exists('yarn.lock'))
      ? definedOnly({ manager: 'npm' as const, lockFile: npmLock, packages: dirs })
      : undefined;
    const cargoLock = declaredBy === 'cargo workspace' ? await repo.firstExisting(['Cargo.lock']) : undefined;
    const cargoWorkspace = declaredBy === 'cargo workspace' ? definedOnly({ manager: 'cargo' as const, lockFile: cargoLock, packages: dirs }) : undefined;
    const modules: ModuleAnalysis[] = [];
    for (const dir of dirs) {
      const detection = await detectApp(createRepoReader(path.join(root, dir), ctx.signal));
      if (detection === undefined) continue;
      if (npmWorkspace !== undefined && detection.language === 'node') {
        modules.push(definedOnly<ModuleAnalysis>({ module: dir, ...detection, workspace: npmWorkspace, lockFile: npmLock, packageManager: 'npm', notes: detection.notes.filter((note) => !note.startsWith('no lock file')) }));
      } else if (cargoWorkspace !== undefined && detection.language === 'rust') {
        const bin = detection.entryPoint ?? 'app';
        modules.push(definedOnly<ModuleAnalysis>({
          module: dir, ...detection, workspace: cargoWorkspace, lockFile: cargoLock,
          buildCommand: `cargo build --release${cargoLock === undefined ? '' : ' --locked'} --bin ${bin}`,
          notes: detection.notes.filter((note) => !note.startsWith('Cargo.lock is missing')),
        }));
      } else {
        modules.push(definedOnly<ModuleAnalysis>({ module: dir, ...detection }));
      }
    }
    const wanted = input.module?.replace(/^\.\//, '').replace(/\/$/, '');
    let chosen: ModuleAnalysis | undefined;
    if (wanted !== undefined && wanted !== '') {
      chosen = modules.find((candidate) => candidate.module === wanted);
      if (chosen === undefined) {
        const dir = path.join(root, wanted);
        const isDir = (await stat(dir).catch(() => undefined))?.isDirectory() === true && dir.startsWith(root + path.sep);
        const detection = isDir ? await detectApp(createRepoReader(dir, ctx.signal)) : undefined;
        if (detection === undefined) throw toolFailure(errors, 'MODULE_NOT_FOUND', `no recognised app in ${wanted} under ${root}`, { path: root, module: wanted, modules: modules.map((m) => m.module) });
        chosen = { module: wanted, ...detection };
      }
    } else if (modules.length > 0) {
      chosen = modules.find((candidate) => candidate.port !== undefined && candidate.framework !== 'none') ?? modules.find((candidate) => candidate.port !== undefined) ?? modules[0];
    } else if (atRoot !== undefined) {
      chosen = { module: '', ...atRoot };
    }
    if (chosen === undefined) {
      throw toolFailure(errors, 'UNSUPPORTED_LANGUAGE', `no package.json, Python manifest, go.mod, pom.xml, build.gradle, build.xml, *.csproj or Cargo.toml in ${root}`, { path: root });
    }
    const notes = [...chosen.notes];
    if (modules.length > 0) {
      notes.push(`monorepo (${declaredBy ?? 'directories'}): ${modules.length} module(s) — ${modules.map((m) => `${m.module} (${m.language}${m.framework === 'none' ? '' : `/${m.framework}`})`).join(', ')}; this analysis describes ${chosen.module}; pass module to analyse another`);
      if (chosen.workspace !== undefined) notes.push(`${chosen.module} is a member of the ${chosen.workspace.manager} workspace: its image is built from the repository root (docker build -f ${chosen.module}/Dockerfile .) with the root lock file and the packages it depends on`);
      else if (chosen.lockFile === undefined) {
        const rootLock = await repo.firstExisting(ROOT_LOCK_FILES);
        if (rootLock !== undefined) notes.push(`the lock file ${rootLock} is at the workspace root; the image is built from ${chosen.module} alone, so installs there are not locked`);
      }
    }
    const analysis = definedOnly<RepositoryAnalysis>({ path: root, ...chosen, modules, notes, ...(await findDeploymentFiles(root, ctx.signal)) });
    ctx.context.share(REPOSITORY_ANALYSIS_CONTEXT, analysis);
    ctx.logger.debug({ language: analysis.language, framework: analysis.framework, port: analysis.port, module: analysis.module }, 'repository analysed');
    return analysis;
  },
});

/** Drops keys whose value is undefined, so that `has(steps.analyze.output.languageVersion)` means "declared". */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
