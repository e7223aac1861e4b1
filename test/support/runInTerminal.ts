import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { terminalScreen } from './terminalScreen.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Runs the `orchkit` command from source in a real pseudo-terminal (util-linux `script`, 120x50),
 * stdout and stderr both on it, as a user sees it. Resolves with the exit code, the raw bytes
 * and the final screen (one string per row, escapes applied).
 */
export function runInTerminal(args: string[], options: { timeoutMs?: number } = {}): Promise<{ code: number; raw: string; screen: string[] }> {
  const command = `stty cols 120 rows 50; exec ${[process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...args].map(quote).join(' ')}`;
  return new Promise((resolve) => {
    execFile(
      'script',
      ['--quiet', '--flush', '--return', '--command', command, '/dev/null'],
      { cwd: root, timeout: options.timeoutMs ?? 60_000, env: { ...process.env, TERM: 'xterm-256color' } },
      (error, stdout) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, raw: stdout, screen: terminalScreen(stdout) });
      },
    );
  });
}
