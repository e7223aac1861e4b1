import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../dockerfile/writeFileAtomic.js';
import type { LoadedDockerfile } from './loadDockerfile.js';

/**
 * The failed call's input with a new Dockerfile, in the form the failed tool reads it:
 *
 * - `validate_dockerfile`, or an input that carried Dockerfile text: `dockerfile` becomes the new
 *   text (and `validate_dockerfile`'s `path` goes, since it takes one or the other);
 * - a tool that reads the Dockerfile from disk (`build_image`): the text is written to a fresh
 *   temporary directory and `dockerfile` becomes that absolute path, so the user's own file is
 *   never touched and the build context (`path`) stays as it was.
 *
 * @example
 * await patchedInputWith({ path: '/repo', tag: 'app:1' }, text, loaded, 'build_image');
 * // { path: '/repo', tag: 'app:1', dockerfile: '/tmp/orchkit-remediation-x1y2/Dockerfile' }
 */
export async function patchedInputWith(
  original: Record<string, unknown>,
  dockerfile: string,
  source: LoadedDockerfile | undefined,
  tool: string | undefined,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const onlyLocation = Object.keys(original).every((key) => key === 'path' || key === 'dockerfile');
  const asText = tool === 'validate_dockerfile' || source?.kind === 'text' || (source === undefined && tool !== 'build_image') || (tool === undefined && onlyLocation);
  if (asText) {
    const patched: Record<string, unknown> = { ...original, dockerfile };
    if (tool === 'validate_dockerfile' || onlyLocation) delete patched.path;
    return patched;
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'orchkit-remediation-'));
  const file = path.join(directory, 'Dockerfile');
  await writeFileAtomic(file, dockerfile, { signal });
  return { ...original, dockerfile: file };
}
