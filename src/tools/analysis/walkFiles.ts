import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Directories no analysis or scan looks into: dependencies, VCS data, virtualenvs, caches. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  'node_modules', '.git', '.hg', '.svn', 'vendor', '.venv', 'venv', '__pycache__', '.mypy_cache', '.pytest_cache', '.gradle', '.idea',
]);

/** Options of {@link walkFiles}. */
export interface WalkOptions {
  signal?: AbortSignal;
  /** 0 lists only the root's files; unlimited by default. */
  maxDepth?: number;
  /** Directory names to skip; {@link SKIPPED_DIRECTORIES} by default. */
  skip?: ReadonlySet<string>;
}

/** A regular file met by {@link walkFiles}. */
export interface WalkedFile {
  /** Path relative to the root, with `/` separators. */
  relative: string;
  absolute: string;
}

/**
 * Yields the regular files under `root` in a stable (sorted) order, depth first. Symbolic links
 * are not followed, so a link cycle or a link out of the repository cannot widen the walk.
 *
 * @example
 * for await (const file of walkFiles(repo, { signal, maxDepth: 3 })) names.push(file.relative);
 */
export async function* walkFiles(root: string, options: WalkOptions = {}): AsyncGenerator<WalkedFile> {
  const skip = options.skip ?? SKIPPED_DIRECTORIES;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  async function* walk(dir: string, depth: number): AsyncGenerator<WalkedFile> {
    options.signal?.throwIfAborted();
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      if (entry.isFile()) {
        yield { absolute, relative: path.relative(root, absolute).split(path.sep).join('/') };
      } else if (entry.isDirectory() && depth < maxDepth && !skip.has(entry.name)) {
        yield* walk(absolute, depth + 1);
      }
    }
  }
  yield* walk(root, 0);
}
