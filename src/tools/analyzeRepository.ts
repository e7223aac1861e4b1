import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { detectGo } from './analysis/detectGo.js';
import { detectJava } from './analysis/detectJava.js';
import { detectNode } from './analysis/detectNode.js';
import { detectPython } from './analysis/detectPython.js';
import { findDeploymentFiles } from './analysis/findDeploymentFiles.js';
import type { LanguageDetection, LanguageDetector } from './analysis/LanguageDetection.js';
import { createRepoReader } from './analysis/RepoReader.js';
import { RepositoryAnalysisSchema, type RepositoryAnalysis } from './analysis/RepositoryAnalysisSchema.js';
import { toolFailure } from './toolFailure.js';

export { RepositoryAnalysisSchema, type RepositoryAnalysis };

/** Shared-context type under which the analysis is published for later steps and remediation. */
export const REPOSITORY_ANALYSIS_CONTEXT = 'repository_analysis';

const errors = {
  REPO_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'the path is not a readable directory' },
  UNSUPPORTED_LANGUAGE: { type: ErrorType.validation, retryable: false, description: 'no Node.js, Python, Go or Java project at the path' },
} as const;

/** Tried in this order; the first that recognises the repository and names a framework wins. */
const DETECTORS: readonly LanguageDetector[] = [detectNode, detectPython, detectGo, detectJava];

/**
 * `analyze_repository`: reads a local repository and reports its language, framework, package
 * manager, declared language version, entry point, port, build and start commands, dependency
 * counts, and the Dockerfiles and Kubernetes manifests it already has. The result is also shared
 * in the session's context as `repository_analysis`.
 *
 * When several languages are present (a Python API with a `package.json` for tooling), the first
 * detector whose language has a recognised framework wins, else the first that matched.
 *
 * Errors: `REPO_NOT_FOUND` (not_found), `UNSUPPORTED_LANGUAGE` (validation_error); neither is retryable.
 *
 * @example
 * const analysis = await ctx.request('analyze_repository', { path: './examples/apps/node-express' });
 * analysis.framework; // 'express'
 */
export const analyzeRepository = defineTool({
  name: 'analyze_repository',
  description: 'Detects language, framework, package manager, port, build/start commands and existing Docker/Kubernetes files of a local repository',
  input: z.object({ path: z.string().min(1).describe('Local directory of the repository') }),
  output: RepositoryAnalysisSchema,
  errors,
  timeoutMs: 30_000,
  async run(input, ctx) {
    const root = path.resolve(input.path);
    const info = await stat(root).catch(() => undefined);
    if (info?.isDirectory() !== true) throw toolFailure(errors, 'REPO_NOT_FOUND', `no directory at ${root}`, { path: root });

    const repo = createRepoReader(root, ctx.signal);
    const detections: LanguageDetection[] = [];
    for (const detect of DETECTORS) {
      const detection = await detect(repo);
      if (detection !== undefined) detections.push(detection);
    }
    const chosen = detections.find((detection) => detection.framework !== 'none') ?? detections[0];
    if (chosen === undefined) {
      throw toolFailure(errors, 'UNSUPPORTED_LANGUAGE', `no package.json, Python manifest, go.mod, pom.xml or build.gradle in ${root}`, { path: root });
    }
    const others = detections.filter((detection) => detection !== chosen).map((detection) => detection.language);
    const notes = others.length > 0 ? [...chosen.notes, `also found ${others.join(', ')} files; analysed as ${chosen.language}`] : chosen.notes;

    const analysis = definedOnly<RepositoryAnalysis>({ path: root, ...chosen, notes, ...(await findDeploymentFiles(root, ctx.signal)) });
    ctx.context.share(REPOSITORY_ANALYSIS_CONTEXT, analysis);
    ctx.logger.debug({ language: analysis.language, framework: analysis.framework, port: analysis.port }, 'repository analysed');
    return analysis;
  },
});

/** Drops keys whose value is undefined, so that `has(steps.analyze.output.languageVersion)` means "declared". */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
