import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The Dockerfile a failed call worked on. */
export interface LoadedDockerfile {
  text: string;
  /** `text` when the input carried the Dockerfile itself, `file` when it named a file. */
  kind: 'text' | 'file';
  /** The file it was read from, for `kind: 'file'`. */
  file?: string;
}

/** Dockerfile text has lines; a Dockerfile path (`Dockerfile`, `docker/api.Dockerfile`) has none. */
export function isDockerfileText(value: string): boolean {
  return value.includes('\n') || /^\s*(FROM|ARG|#)\s/i.test(value);
}

/**
 * The Dockerfile of a failed call's input: its `dockerfile` when that is Dockerfile text (as
 * `validate_dockerfile` takes it), else the file named by `path` and `dockerfile` (as
 * `build_image` takes them: a context directory and a Dockerfile path relative to it, default
 * `Dockerfile`), or by `path` alone (a Dockerfile or a directory holding one).
 *
 * @example
 * await loadDockerfile({ path: '/repo', tag: 'app:1' }, signal); // { kind: 'file', file: '/repo/Dockerfile', text }
 */
export async function loadDockerfile(original: Record<string, unknown>, signal: AbortSignal): Promise<LoadedDockerfile | undefined> {
  const named = typeof original.dockerfile === 'string' ? original.dockerfile : undefined;
  if (named !== undefined && isDockerfileText(named)) return { text: named, kind: 'text' };
  const base = typeof original.path === 'string' ? path.resolve(original.path) : undefined;
  if (base === undefined && named === undefined) return undefined;
  let file = path.resolve(base ?? '.', named ?? '');
  if (named === undefined && (await stat(file).catch(() => undefined))?.isDirectory() === true) file = path.join(file, 'Dockerfile');
  try {
    return { text: await readFile(file, { encoding: 'utf8', signal }), kind: 'file', file };
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
}
