import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { walkFiles } from './walkFiles.js';

/** Largest source file the analysis reads; bigger ones are generated or data, not app code. */
const MAX_SOURCE_BYTES = 256 * 1024;
/** How many source files the analysis reads at most, so a huge monorepo stays cheap. */
const MAX_SOURCE_FILES = 300;

/** A source file read during analysis. */
export interface SourceFile {
  relative: string;
  text: string;
}

/** Read-only access to one repository, every read honouring the caller's AbortSignal. */
export interface RepoReader {
  readonly root: string;
  readonly signal: AbortSignal;
  /** The file's text, or undefined when it does not exist or is not a regular file. */
  read(relative: string): Promise<string | undefined>;
  exists(relative: string): Promise<boolean>;
  /** The first of `candidates` that exists. */
  firstExisting(candidates: readonly string[]): Promise<string | undefined>;
  /** Small source files with one of `extensions` (`.js`), up to `maxDepth` directories deep. */
  sources(extensions: readonly string[], maxDepth?: number): Promise<SourceFile[]>;
}

/**
 * Creates a {@link RepoReader} rooted at `root`.
 *
 * @example
 * const repo = createRepoReader('/src/app', ctx.signal);
 * const manifest = await repo.read('package.json');
 */
export function createRepoReader(root: string, signal: AbortSignal): RepoReader {
  const cache = new Map<string, Promise<SourceFile[]>>();
  const read = async (relative: string): Promise<string | undefined> => {
    try {
      return await readFile(path.join(root, relative), { encoding: 'utf8', signal });
    } catch (error) {
      if (signal.aborted) throw error;
      return undefined;
    }
  };
  const exists = async (relative: string): Promise<boolean> => {
    signal.throwIfAborted();
    try {
      await stat(path.join(root, relative));
      return true;
    } catch {
      return false;
    }
  };
  const loadSources = async (extensions: readonly string[], maxDepth: number): Promise<SourceFile[]> => {
    const files: SourceFile[] = [];
    for await (const file of walkFiles(root, { signal, maxDepth })) {
      if (!extensions.some((extension) => file.relative.endsWith(extension))) continue;
      const info = await stat(file.absolute);
      if (info.size > MAX_SOURCE_BYTES) continue;
      const text = await read(file.relative);
      if (text !== undefined) files.push({ relative: file.relative, text });
      if (files.length >= MAX_SOURCE_FILES) break;
    }
    return files;
  };
  return {
    root,
    signal,
    read,
    exists,
    async firstExisting(candidates) {
      for (const candidate of candidates) if (await exists(candidate)) return candidate;
      return undefined;
    },
    sources(extensions, maxDepth = 4) {
      const key = `${extensions.join(',')}@${maxDepth}`;
      let loaded = cache.get(key);
      if (loaded === undefined) {
        loaded = loadSources(extensions, maxDepth);
        cache.set(key, loaded);
      }
      return loaded;
    },
  };
}
