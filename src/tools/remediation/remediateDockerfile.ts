import type { RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';
import { patchDockerfile } from '../dockerfile/patchDockerfile.js';
import { renderDockerfile } from '../dockerfile/renderDockerfile.js';
import { loadDockerfile } from './loadDockerfile.js';
import { patchedInputWith } from './patchedInputWith.js';
import type { Remediation, RemediationInput } from './RemediationSchema.js';

/**
 * Remediates an invalid Dockerfile or a failed image build: patches the Dockerfile of the failed
 * input (see `patchDockerfile`); when errors remain, or there was no Dockerfile, regenerates one
 * from the repository analysis; escalates when neither gives a different, error-free Dockerfile.
 */
export async function remediateDockerfile(input: RemediationInput, original: Record<string, unknown>, analysis: RepositoryAnalysis | undefined, signal: AbortSignal): Promise<Remediation> {
  const source = await loadDockerfile(original, signal);
  const regenerate = async (changes: string[], why: string): Promise<Remediation> => {
    if (analysis === undefined) {
      return { action: 'escalate', reason: `${why}, and there is no repository analysis to regenerate it from`, changes: [] };
    }
    const rendered = renderDockerfile(analysis);
    if (source !== undefined && rendered.dockerfile === source.text) {
      return { action: 'escalate', reason: `${input.failure.code} with the generated Dockerfile, which lints clean: ${input.failure.message}`, changes: [] };
    }
    return {
      action: 'retry',
      patchedInput: await patchedInputWith(original, rendered.dockerfile, source, input.failure.tool, signal),
      reason: `${why}; regenerated the Dockerfile from the repository analysis`,
      changes: [...changes, `regenerated a ${analysis.language} Dockerfile on ${rendered.baseImage}`],
    };
  };
  if (source === undefined) return regenerate([], 'the failed input holds no Dockerfile');

  const patch = patchDockerfile(source.text, { port: analysis?.port, healthCheckPath: analysis?.healthCheckPath });
  const errors = patch.remaining.filter((issue) => issue.severity === 'error');
  if (errors.length > 0) {
    const listed = errors.map((issue) => `${issue.rule} at line ${issue.line}`).join(', ');
    return regenerate([], `patching left ${listed}`);
  }
  if (patch.changes.length === 0) return regenerate([], 'the Dockerfile has nothing a patch can fix');
  return {
    action: 'retry',
    patchedInput: await patchedInputWith(original, patch.dockerfile, source, input.failure.tool, signal),
    reason: `patched the Dockerfile (${patch.changes.length} change${patch.changes.length === 1 ? '' : 's'}); it now has no error-severity issues`,
    changes: patch.changes,
  };
}
