import { InvalidArgumentError } from 'commander';
import { createToolRegistry } from '../actors/ToolRegistry.js';
import { isRuntimeError } from '../errors/RuntimeError.js';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';
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

/**
 * `orchkit test <file>`: explores every outcome path of a workflow file (each error the default
 * tool pack declares, timeouts, both sides of each `when`) on the real runtime with stand-in
 * tools, and prints the paths replayed, model coverage and the shortest counterexample of each
 * broken invariant. Exit 0 when all hold, 1 on a violation, 2 for an invalid definition.
 */
export async function testCommand(file: string, options: TestCommandOptions = {}): Promise<ExitCode> {
  const tools = defaultTools();
  let exploration: Exploration;
  try {
    const definition = await loadWorkflowFile(file, createToolRegistry(tools));
    exploration = await exploreWorkflow(definition, { tools, ...(options.maxPaths === undefined ? {} : { maxPaths: options.maxPaths }) });
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
  }
  process.stdout.write(options.json ? `${JSON.stringify(summary(exploration))}\n` : report(file, exploration));
  return exploration.violations.length > 0 ? ExitCode.runFailed : ExitCode.ok;
}

/** Parses `--max-paths`: a positive integer. */
export function parseMaxPaths(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function summary(exploration: Exploration) {
  const { paths, modelPaths, coverage, violations } = exploration;
  return { paths: paths.length, modelPaths, coverage, violations };
}

function report(file: string, { paths, modelPaths, coverage, violations }: Exploration): string {
  const percent = ({ covered, total }: { covered: number; total: number }): string =>
    `${covered}/${total} (${total === 0 ? 100 : Math.floor((covered / total) * 100)}%)`;
  const lines = [
    `${file}: ${paths.length} path(s) replayed${modelPaths > paths.length ? ` of ${modelPaths} in the model` : ''}`,
    `  states covered:      ${percent(coverage.states)}`,
    `  transitions covered: ${percent(coverage.transitions)}`,
  ];
  if (violations.length === 0) lines.push('  every invariant holds');
  for (const v of violations) {
    lines.push(`  ✗ ${v.invariant} broken on ${v.count} path(s): ${v.message}`, `    shortest path: ${v.path.join(' → ') || '(no events)'}`);
  }
  return `${lines.join('\n')}\n`;
}
