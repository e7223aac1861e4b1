import { dirname, join } from 'node:path';
import { toErrorInfo } from '../errors/toErrorInfo.js';
import type { ConversationContext, ConversationFailure } from './conversationContext.js';

// The conversation keeps only what it shows or needs later, so a stored snapshot stays small.
// Tool outputs reaching here were already checked against the tools' output schemas.

/** The repository directory: resolved by the analysis, else as the user gave it. */
export function repoPath(context: ConversationContext): string {
  return context.analysis?.path ?? context.repository ?? '.';
}

/** The failure of an invoked tool, as shown to the user. */
export function toFailure(error: unknown): ConversationFailure {
  const info = toErrorInfo(error);
  return { code: info.code, message: info.message };
}

/** `validate_dockerfile` output to the conversation's Dockerfile record. */
export function toDockerfile(output: unknown, context: ConversationContext): NonNullable<ConversationContext['dockerfile']> {
  const lint = output as { valid: boolean; path?: string; issues: { severity: string }[] };
  const count = (severity: string): number => lint.issues.filter((issue) => issue.severity === severity).length;
  return {
    path: lint.path ?? context.dockerfile?.path ?? join(repoPath(context), 'Dockerfile'),
    generated: context.dockerfile?.generated ?? false,
    valid: lint.valid,
    errors: count('error'),
    warnings: count('warning'),
  };
}

/** `build_image` output to the conversation's image record. */
export function toImage(output: unknown): NonNullable<ConversationContext['image']> {
  const built = output as { tag: string; imageId: string };
  return { tag: built.tag, imageId: built.imageId, built: true, reason: null, scan: null };
}

/** `scan_image_security` output in one line. */
export function scanSummary(output: unknown): string {
  const scan = output as { total?: number; counts?: Record<string, number> };
  const counts = Object.entries(scan.counts ?? {}).filter(([, n]) => n > 0).map(([severity, n]) => `${n} ${severity}`);
  return `${scan.total ?? 0} known vulnerabilit${scan.total === 1 ? 'y' : 'ies'}${counts.length > 0 ? ` (${counts.join(', ')})` : ''}`;
}

/** `generate_manifests` output to the files written and their directory. */
export function toManifests(output: unknown, context: ConversationContext): NonNullable<ConversationContext['manifests']> {
  const { files } = output as { files: string[] };
  return { files, dir: files[0] === undefined ? join(repoPath(context), 'k8s') : dirname(files[0]) };
}

/** `validate_manifests` output to a verdict and its first problems. */
export function toDeployment(output: unknown): NonNullable<ConversationContext['deployment']> {
  const check = output as { valid: boolean; issues: { severity?: string; path: string; message: string }[] };
  const problems = check.issues.filter((issue) => issue.severity !== 'warning').slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
  return { valid: check.valid, problems };
}
