import { DockerfileParser } from 'dockerfile-ast';
import type { RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';
import { slimmerImage } from '../dockerfile/pinnedImages.js';
import { renderDockerfile } from '../dockerfile/renderDockerfile.js';
import { loadDockerfile } from './loadDockerfile.js';
import { patchedInputWith } from './patchedInputWith.js';
import type { Remediation, RemediationInput } from './RemediationSchema.js';

const DEBIAN_TOOLS = /\b(apt-get|apt|dpkg|useradd|groupadd)\b/;

/**
 * Remediates `VULNERABILITIES_FOUND`: moves the final stage to a smaller, current base image of
 * the same family (fewer packages, fewer CVEs). With a Dockerfile in the failed input, that is a
 * retry with the patched text; otherwise the image has to be rebuilt, so it escalates with the
 * suggestion (and a regenerated Dockerfile in `output` when the analysis is known).
 */
export async function remediateVulnerabilities(input: RemediationInput, original: Record<string, unknown>, analysis: RepositoryAnalysis | undefined, signal: AbortSignal): Promise<Remediation> {
  const source = await loadDockerfile(original, signal);
  const details = typeof input.failure.details === 'object' && input.failure.details !== null ? (input.failure.details as Record<string, unknown>) : {};
  const reported = [details.baseImage, details.image].find((value): value is string => typeof value === 'string');

  if (source !== undefined) {
    const parsed = DockerfileParser.parse(source.text);
    const froms = parsed.getFROMs();
    const final = froms[froms.length - 1];
    const image = final?.getImage() ?? undefined;
    const range = final?.getImageRange();
    const finalStage = source.text.split('\n').slice((final?.getRange().start.line ?? 0) + 1).join('\n');
    const suggestion = image === undefined ? undefined : slimmerImage(image, DEBIAN_TOOLS.test(finalStage));
    if (suggestion !== undefined && range !== undefined && range !== null) {
      const lines = source.text.split('\n');
      const line = lines[range.start.line] ?? '';
      lines[range.start.line] = line.slice(0, range.start.character) + suggestion + line.slice(range.end.character);
      return {
        action: 'retry',
        patchedInput: await patchedInputWith(original, lines.join('\n'), source, input.failure.tool, signal),
        reason: `critical vulnerabilities in ${image ?? 'the base image'}; moved the final stage to ${suggestion}`,
        changes: [`line ${range.start.line + 1}: final stage ${image ?? ''} -> ${suggestion}`],
      };
    }
  }
  const current = reported ?? (analysis === undefined ? undefined : renderDockerfile(analysis).baseImage);
  const suggestion = current === undefined ? undefined : slimmerImage(current, false);
  if (suggestion === undefined) {
    return { action: 'escalate', reason: `${input.failure.message}; no smaller image of the same family is known${current === undefined ? '' : ` for ${current}`}`, changes: [] };
  }
  const regenerated = analysis === undefined ? undefined : renderDockerfile(analysis);
  return {
    action: 'escalate',
    reason: `critical vulnerabilities in ${current ?? 'the image'}: rebuild it on ${suggestion} and scan again`,
    changes: [`suggested base image: ${suggestion}`],
    output: { suggestedBaseImage: suggestion, ...(regenerated === undefined ? {} : { dockerfile: regenerated.dockerfile }) },
  };
}
