import { spawn } from 'node:child_process';
import type { ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** Aborting it kills the child: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  cwd?: string;
  /** Whole environment of the child; its `PATH` is also where the binary is looked up. Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Kills the child and rejects with `COMMAND_TIMEOUT` when it runs longer. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed. Without it stdin is ignored. */
  input?: string;
  /** Called with each complete output line (without its line break), as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** How many characters of each stream to keep (the last ones). Default 1 MiB. */
  maxOutputChars?: number;
  /** Wait between SIGTERM and SIGKILL. Default 2000 ms. */
  killGraceMs?: number;
  /** Replaces the built-in install hint of a missing binary. */
  installHint?: string;
  /**
   * Starts the child as the leader of its own process group and stops the whole group, so
   * helpers it forks (conmon, buildah, credential helpers) die with it. Default false.
   */
  processGroup?: boolean;
}

/** What a finished command produced; a non-zero `exitCode` is a result, not a failure. */
export interface CommandResult {
  /** Exit code, or null when a signal ended the child. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Error codes that {@link runCommand} throws, for tools to spread into their `errors` table. */
export const commandErrors = {
  TOOL_UNAVAILABLE: { type: ErrorType.unavailable, retryable: false, description: 'The command-line tool is not installed or not on PATH' },
  CANCELLED: { type: ErrorType.cancelled, retryable: false, description: 'The call was aborted; the child process was killed' },
  COMMAND_TIMEOUT: { type: ErrorType.timeout, retryable: true, description: 'The command ran past its time limit and was killed' },
} as const satisfies Record<string, ToolErrorSpec>;

const INSTALL_HINTS: Readonly<Record<string, string>> = {
  docker: 'install Docker: https://docs.docker.com/get-docker/',
  podman: 'install Podman (Debian/Ubuntu: apt-get install podman): https://podman.io/docs/installation',
  buildah: 'install Buildah (Debian/Ubuntu: apt-get install buildah)',
  trivy: 'install trivy: https://trivy.dev/latest/getting-started/installation/',
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/',
};

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/**
 * Runs a binary without a shell and collects its output. Resolves whatever the exit code;
 * rejects with a `ToolError` only when the binary is missing (`TOOL_UNAVAILABLE`), the
 * signal aborts (`CANCELLED`) or the time limit passes (`COMMAND_TIMEOUT`).
 *
 * @example
 * const { exitCode, stdout } = await runCommand('docker', ['info'], { signal: ctx.signal, timeoutMs: 5000 });
 */
export function runCommand(cmd: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const { signal, timeoutMs, onLine, killGraceMs = 2000, maxOutputChars = DEFAULT_MAX_OUTPUT } = options;
  if (signal?.aborted) return Promise.reject(cancelled(cmd, signal.reason));
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
      detached: options.processGroup === true && process.platform !== 'win32',
    });
    const kill = (sig: NodeJS.Signals): void => {
      if (options.processGroup === true && child.pid !== undefined && process.platform !== 'win32') {
        try {
          process.kill(-child.pid, sig);
          return;
        } catch {
          // The group is gone already (ESRCH): fall through to the child itself.
        }
      }
      child.kill(sig);
    };
    const stdout = new OutputBuffer(maxOutputChars, onLine && ((line) => onLine(line, 'stdout')));
    const stderr = new OutputBuffer(maxOutputChars, onLine && ((line) => onLine(line, 'stderr')));
    let settled = false;
    let stopReason: ToolError | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (timeoutTimer) clearTimeout(timeoutTimer);
      if (killTimer) clearTimeout(killTimer);
      outcome();
    };
    const stop = (reason: ToolError): void => {
      if (stopReason || settled) return;
      stopReason = reason;
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), killGraceMs);
      killTimer.unref();
    };
    function onAbort(): void {
      stop(cancelled(cmd, signal?.reason));
    }

    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timeoutTimer = setTimeout(() => stop(new ToolError({
        code: 'COMMAND_TIMEOUT', ...commandErrors.COMMAND_TIMEOUT,
        message: `${cmd} did not finish within ${timeoutMs} ms and was killed`,
      })), timeoutMs);
    }
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // EPIPE when the child exits before reading: its exit code tells the story
      child.stdin.end(options.input);
    }
    child.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(spawnFailure(cmd, error, options.installHint))));
    // A killed child's grandchildren may hold its pipes open, so a stop settles on `exit`, not `close`.
    child.on('exit', () => {
      if (stopReason) {
        const reason = stopReason;
        finish(() => reject(reason));
      }
    });
    child.on('close', (code) => finish(() => {
      stdout.flush();
      stderr.flush();
      resolve({ exitCode: code, stdout: stdout.text(), stderr: stderr.text() });
    }));
  });
}

function cancelled(cmd: string, reason: unknown): ToolError {
  return new ToolError({ code: 'CANCELLED', ...commandErrors.CANCELLED, message: `${cmd} was cancelled`, cause: reason });
}

function spawnFailure(cmd: string, error: NodeJS.ErrnoException, installHint: string | undefined): ToolError {
  if (error.code === 'ENOENT' || error.code === 'EACCES') {
    const hint = installHint ?? INSTALL_HINTS[cmd] ?? `install ${cmd} and put it on PATH`;
    const problem = error.code === 'ENOENT' ? 'was not found on PATH' : 'is not executable';
    return new ToolError({ code: 'TOOL_UNAVAILABLE', ...commandErrors.TOOL_UNAVAILABLE, message: `${cmd} ${problem}: ${hint}`, details: { command: cmd, errno: error.code }, cause: error });
  }
  return new ToolError({ code: 'TOOL_UNAVAILABLE', ...commandErrors.TOOL_UNAVAILABLE, message: `${cmd} could not be started: ${error.message}`, details: { command: cmd, errno: error.code }, cause: error });
}

/** Keeps the tail of a stream and cuts it into lines for `onLine`. */
class OutputBuffer {
  private chunks: string[] = [];
  private size = 0;
  private partial = '';

  constructor(private readonly limit: number, private readonly onLine: ((line: string) => void) | undefined) {}

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()?.length ?? 0;
    if (!this.onLine) return;
    const lines = (this.partial + chunk).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
    if (this.partial.length > this.limit) this.flush(); // a line without end must not grow without bound

  }

  flush(): void {
    if (this.partial && this.onLine) this.onLine(this.partial);
    this.partial = '';
  }

  text(): string {
    const all = this.chunks.join('');
    return all.length > this.limit ? all.slice(all.length - this.limit) : all;
  }
}
