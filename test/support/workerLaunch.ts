import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** How a worker process is started, and how to clean up after it. */
export interface WorkerLaunch {
  command: string;
  args: string[];
  cleanup(): Promise<void>;
}

/**
 * Bundles a worker script with its packages with esbuild (about 0.25 s of CPU to start instead of
 * tsx's 2-3 s, which matters when a test starts dozens of processes); falls back to `node --import tsx`.
 */
export async function prepareWorkerLaunch(workerSource: string, name: string): Promise<WorkerLaunch> {
  try {
    const esbuild = await import('esbuild');
    // Inside the repository, so the external packages resolve from its node_modules.
    const outdir = path.join(root, 'node_modules/.cache/orchkit-worker-tests');
    await mkdir(outdir, { recursive: true });
    const outfile = path.join(outdir, `${name}-${process.pid}.mjs`);
    // Packages are bundled too (all but native modules): resolving and loading hundreds of small
    // files from node_modules was half of a worker's start-up CPU, and a crash test starts ~100.
    await esbuild.build({
      entryPoints: [workerSource],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      external: ['better-sqlite3', 'pg-native'],
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      target: 'node20',
      logLevel: 'silent',
    });
    return { command: process.execPath, args: [outfile], cleanup: () => rm(outfile, { force: true }) };
  } catch {
    return { command: process.execPath, args: ['--import', 'tsx', workerSource], cleanup: async () => undefined };
  }
}
