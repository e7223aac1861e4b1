import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** tsx's loader by absolute URL, so the CLI runs from source in any working directory. */
const tsx = import.meta.resolve('tsx');
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs the `orchkit` command from source (in `cwd`, the repository by default); resolves with its exit code and output. */
export function runCli(args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsx, main, ...args],
      { cwd: options.cwd ?? root, timeout: options.timeoutMs ?? 60_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
