import type { RepoReader } from './RepoReader.js';

/**
 * The first line of the first existing, non-empty version file (`.nvmrc`, `.python-version`).
 *
 * @example
 * await readVersionFile(repo, ['.nvmrc', '.node-version']); // '22'
 */
export async function readVersionFile(repo: RepoReader, files: readonly string[]): Promise<string | undefined> {
  for (const file of files) {
    const version = (await repo.read(file))?.split('\n')[0]?.trim();
    if (version) return version;
  }
  return undefined;
}
