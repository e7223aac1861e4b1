import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The Dockerfile a tool input names: `path` itself, or `<path>/<name>` when `path` is a directory.
 *
 * @example
 * await dockerfilePath('./app'); // '/abs/app/Dockerfile'
 */
export async function dockerfilePath(path: string, name = 'Dockerfile'): Promise<string> {
  const full = resolve(path);
  const found = await stat(full).catch(() => undefined);
  return found?.isDirectory() ? join(full, name) : full;
}
