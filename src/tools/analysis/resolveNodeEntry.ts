import type { RepoReader } from './RepoReader.js';

const JS_CANDIDATES = ['server.js', 'index.js', 'app.js', 'main.js', 'src/server.js', 'src/index.js', 'src/app.js', 'src/main.js', 'server.mjs', 'index.mjs', 'src/index.mjs'];
const TS_CANDIDATES = ['src/server.ts', 'src/index.ts', 'src/main.ts', 'src/app.ts', 'server.ts', 'index.ts', 'main.ts', 'app.ts'];

/** Where a Node.js app starts, and how that was decided. */
export interface NodeEntry {
  /** The file `node` runs (for TypeScript: the compiled file, which exists only after the build). */
  entryPoint: string | undefined;
  /** True when the entry is compiled from TypeScript, so the image must build before it can start. */
  compiled: boolean;
  /** Set when the entry was not declared but found among the usual file names. */
  guessed?: string;
  notes: string[];
}

/**
 * Resolves the declared entry point (`node <file>` in the start script, or `main`) against the
 * files that exist: a declared file that is missing is reported, and when a TypeScript source of
 * it exists (`server.ts` for `server.js`), or the file is under the compiler's `outDir`, the app
 * is compiled first and started from the output. Without a declaration the usual names are tried.
 *
 * @example
 * await resolveNodeEntry(repo, 'server.js'); // { entryPoint: 'dist/server.js', compiled: true, ... }
 */
export async function resolveNodeEntry(repo: RepoReader, declared: string | undefined): Promise<NodeEntry> {
  const notes: string[] = [];
  const tsconfig = (await repo.read('tsconfig.json')) ?? '';
  const outDir = clean(/"outDir"\s*:\s*"([^"]+)"/.exec(tsconfig)?.[1] ?? '');
  const rootDir = clean(/"rootDir"\s*:\s*"([^"]+)"/.exec(tsconfig)?.[1] ?? '');
  const compiledPath = (source: string): string => {
    const relative = rootDir !== '' && source.startsWith(`${rootDir}/`) ? source.slice(rootDir.length + 1) : source;
    return [outDir, relative.replace(/\.[cm]?ts$/, '.js')].filter(Boolean).join('/');
  };
  const file = declared === undefined ? undefined : clean(declared);
  if (file !== undefined) {
    if (await repo.exists(file)) return { entryPoint: file, compiled: false, notes };
    if (outDir !== '' && file.startsWith(`${outDir}/`)) {
      notes.push(`${file} is not in the repository: it is compiled into ${outDir}/ by the TypeScript build, which the image runs first`);
      return { entryPoint: file, compiled: true, notes };
    }
    const base = file.replace(/\.[cm]?js$/, '');
    const source = await repo.firstExisting([`${base}.ts`, `${base}.mts`, `src/${base.replace(/^.*\//, '')}.ts`]);
    if (source !== undefined) {
      const entryPoint = compiledPath(source);
      notes.push(`${file} does not exist but ${source} does: the image compiles TypeScript first and starts ${entryPoint}`);
      return { entryPoint, compiled: true, notes };
    }
    notes.push(`the declared entry point ${file} does not exist`);
  }
  const js = await repo.firstExisting(JS_CANDIDATES);
  if (js !== undefined) return { entryPoint: js, compiled: false, guessed: `no entry point declared${file === undefined ? '' : ' that exists'}; ${js} is the first of the usual names present`, notes };
  const ts = await repo.firstExisting(TS_CANDIDATES);
  if (ts !== undefined) {
    const entryPoint = compiledPath(ts);
    return { entryPoint, compiled: true, guessed: `no JavaScript entry point; ${ts} compiles to ${entryPoint}`, notes };
  }
  return { entryPoint: undefined, compiled: false, notes };
}

function clean(file: string): string {
  return file.replace(/^\.\//, '').replace(/\/$/, '');
}
