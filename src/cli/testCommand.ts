import { InvalidArgumentError } from 'commander';
import { createToolRegistry } from '../actors/ToolRegistry.js';
import { isRuntimeError } from '../errors/RuntimeError.js';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { createRuntime } from '../runtime/createRuntime.js';
import { exploreWorkflow, type Exploration } from '../testing/index.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';
import { formatIssues } from './formatIssues.js';
import { loadWorkflowFile } from './loadWorkflowFile.js';

/** Options of `orchkit test`. */
export interface TestCommandOptions {
  json?: boolean;
  /** Replay at most this many paths, the shortest first. */
  maxPaths?: number;
}

/** Default of `--max-paths` (that of `exploreWorkflow`). */
export const DEFAULT_MAX_PATHS = 2_000;

/**
 * `orchkit test <file>`: explores every outcome path of a workflow file (each error the default
 * tool pack declares, timeouts, both sides of each `when`) on the real runtime with stand-in
 * tools, and prints the paths replayed, model coverage and the shortest counterexample of each
 * broken invariant. While it replays, stderr shows how many paths are done; the report says
 * when `--max-paths` cut the replay short. Exit 0 when all hold, 1 on a violation, 2 for an
 * invalid definition.
 */
export async function testCommand(file: string, options: TestCommandOptions = {}): Promise<ExitCode> {
  const tools = defaultTools();
  const maxPaths = options.maxPaths ?? DEFAULT_MAX_PATHS;
  const progress = replayProgress(file, maxPaths);
  let exploration: Exploration;
  try {
    const definition = await loadWorkflowFile(file, createToolRegistry(tools));
    progress.start();
    // Every replay builds its runtime through the factory: counting the builds counts the paths.
    exploration = await exploreWorkflow(definition, { tools, maxPaths, runtimeFactory: (runtimeOptions) => (progress.tick(), createRuntime(runtimeOptions)) });
  } catch (error) {
    if (isWorkflowValidationError(error)) {
      process.stderr.write(`${formatIssues(file, error.issues)}\n${file}: ${error.issues.length} problem(s)\n`);
      return ExitCode.invalid;
    }
    if (isRuntimeError(error) && error.code === 'INVALID_OPTION') {
      process.stderr.write(`${file}: ${error.message}\n`);
      return ExitCode.invalid;
    }
    throw error;
  } finally {
    progress.stop();
  }
  process.stdout.write(options.json ? `${JSON.stringify(summary(exploration, maxPaths))}\n` : report(file, exploration, maxPaths));
  return exploration.violations.length > 0 ? ExitCode.runFailed : ExitCode.ok;
}

/** Parses `--max-paths`: a positive integer. */
export function parseMaxPaths(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** A line on stderr that counts replayed paths: redrawn in a terminal, every 100 paths otherwise. */
function replayProgress(file: string, maxPaths: number): { start(): void; tick(): void; stop(): void } {
  const terminal = process.stderr.isTTY === true;
  let done = 0;
  let started = false;
  let lastDraw = 0;
  const line = (): string => `${file}: replaying outcome paths... ${done} done (at most ${maxPaths})`;
  return {
    start() {
      started = true;
      process.stderr.write(terminal ? `\r${file}: deriving the model of every outcome path...` : `${file}: deriving the model, then replaying at most ${maxPaths} outcome paths\n`);
    },
    tick() {
      done += 1;
      const now = Date.now();
      if (terminal && now - lastDraw >= 100) {
        lastDraw = now;
        process.stderr.write(`\r\u001b[2K${line()}`);
      } else if (!terminal && done % 100 === 0) process.stderr.write(`${line()}\n`);
    },
    stop() {
      if (started && terminal) process.stderr.write('\r\u001b[2K');
    },
  };
}

function summary(exploration: Exploration, maxPaths: number) {
  const { paths, modelPaths, coverage, violations } = exploration;
  return { paths: paths.length, modelPaths, capped: modelPaths > paths.length, maxPaths, coverage, violations };
}

function report(file: string, { paths, modelPaths, coverage, violations }: Exploration, maxPaths: number): string {
  const percent = ({ covered, total }: { covered: number; total: number }): string =>
    `${covered}/${total} (${total === 0 ? 100 : Math.floor((covered / total) * 100)}%)`;
  const lines = [
    `${file}: ${paths.length} path(s) replayed${modelPaths > paths.length ? ` of ${modelPaths} in the model` : ''}`,
    ...(modelPaths > paths.length ? [`  capped at ${maxPaths} paths, the shortest first: ${modelPaths - paths.length} path(s) not replayed (--max-paths ${modelPaths} replays them all)`] : []),
    `  states covered:      ${percent(coverage.states)}`,
    `  transitions covered: ${percent(coverage.transitions)}`,
  ];
  if (violations.length === 0) lines.push(`  every invariant holds${modelPaths > paths.length ? ' on the paths replayed' : ''}`);
  for (const v of violations) {
    lines.push(`  ✗ ${v.invariant} broken on ${v.count} path(s): ${v.message}`, `    shortest path: ${v.path.join(' → ') || '(no events)'}`);
  }
  return `${lines.join('\n')}\n`;
}
