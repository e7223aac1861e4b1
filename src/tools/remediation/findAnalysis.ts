import type { SessionContext } from '../../actors/SessionContext.js';
import { RepositoryAnalysisSchema, type RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';

const KEY = 'repository_analysis';

/**
 * The repository analysis for a remediation: from the `context` it was given (a map of context
 * types to data or to entries, or a list of entries), else from the session's shared context.
 * Anything that does not parse as an analysis is ignored.
 *
 * @example
 * findAnalysis({ repository_analysis: analysis }, ctx.context);
 */
export function findAnalysis(context: unknown, session: SessionContext): RepositoryAnalysis | undefined {
  const candidates: unknown[] = [];
  if (Array.isArray(context)) {
    for (const entry of context) if (isRecord(entry) && entry.contextType === KEY) candidates.push(entry.data);
  } else if (isRecord(context)) {
    const value = context[KEY];
    candidates.push(value, isRecord(value) ? value.data : undefined);
  }
  candidates.push(session.get(KEY)?.data);
  for (const candidate of candidates) {
    const parsed = RepositoryAnalysisSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
