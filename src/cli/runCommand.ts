import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createRuntime } from '../runtime/createRuntime.js';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { detectCapabilities } from '../tools/detectCapabilities.js';
import type { WorkflowResult } from '../runtime/WorkflowResult.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';
import { formatIssues, reportNotRun } from './formatIssues.js';
import { registerWorkflowDir, type WorkflowFileProblem } from './registerWorkflowDir.js';
import { resolveRunTarget } from './resolveRunTarget.js';
import { heldStderr } from './heldStderr.js';
import { parseInputs } from './parseInputs.js';
import { watchProgress } from './watchProgress.js';
import { keepServing, type InspectMode } from './inspectCommand.js';
import { createLocalInspector } from '../inspect/createLocalInspector.js';
import { startStatelyInspector } from '../inspect/startStatelyInspector.js';

export interface RunCommandOptions {
  input: string[];
  inputFile?: string;
  json?: boolean;
  logger: Logger;
  /** Serve the run to Stately's inspector (through a loopback relay) or to the local page; then wait for Ctrl-C. */
  inspect?: InspectMode;
  /** Execution store URL (`sqlite:<path>`, `postgres://...`): the run is journaled there and can be resumed. */
  store?: string;
  /** A directory whose workflow files register on start: runnable by id, and callable by `workflow` steps. */
  workflows?: string;
}

/**
 * `orchkit run <file-or-id>`: validate, run with live progress, print the result; returns the
 * exit code. With `workflows`, that directory's files register first, and the argument may be a
 * registered id (`build-image`, or `build-image@2` for a version).
 */
export async function runCommand(file: string, options: RunCommandOptions): Promise<ExitCode> {
  const env = await detectCapabilities();
  const stately = options.inspect === 'stately' ? await startStatelyInspector({ logger: options.logger }) : undefined;
  const runtime = createRuntime({ tools: defaultTools(), logger: options.logger, env: { ...env }, ...(stately ? { inspect: stately.inspect } : {}), ...(options.store ? { store: options.store } : {}) });
  let local: Awaited<ReturnType<typeof createLocalInspector>> | undefined;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', onSignal);
  try {
    if (options.workflows !== undefined) {
      const { problems } = await registerWorkflowDir(runtime, options.workflows);
      if (problems.length > 0) return reportUnregistered(problems, options.json);
    }
    const target = await resolveRunTarget(runtime, file);
    if ('notFound' in target) return reportNotRun(file, target.notFound, { json: options.json });
    const definition = target.definition;
    const input = await parseInputs(options.input, options.inputFile, definition.input);
    const correlationId = randomUUID();
    if (options.inspect === 'local') local = await createLocalInspector({ runtime, definition, correlationId });
    const inspectorUrl = stately?.url ?? local?.url;
    if (stately) process.stderr.write(`Stately inspector: open ${stately.url} (inspection events on ${stately.wsUrl})\n`);
    if (local) process.stderr.write(`orchkit inspector: open ${local.url}\n`);
    const progress = options.json ? undefined : watchProgress(runtime, definition, correlationId);
    const execution = target.registered
      ? runtime.startWorkflow(definition.id, { version: definition.version, input, correlationId, signal: abort.signal })
      : runtime.startWorkflow(definition, { input, correlationId, signal: abort.signal });
    // The live list redraws the lines above the cursor: log lines wait until it is drawn for good.
    const live = progress !== undefined && process.stdout.isTTY === true;
    if (live) heldStderr.hold();
    try {
      await progress?.render(execution.result);
    } finally {
      if (live) heldStderr.release();
    }
    const result = await execution.result;
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : summarize(result));
    if (inspectorUrl !== undefined) await keepServing(inspectorUrl, abort.signal);
    return result.status === 'completed' ? ExitCode.ok : ExitCode.runFailed;
  } catch (error) {
    if (isWorkflowValidationError(error)) return reportNotRun(file, error, { json: options.json });
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    await local?.stop();
    await runtime.stop();
    await stately?.stop();
  }
}

function reportUnregistered(problems: readonly WorkflowFileProblem[], json: boolean | undefined): ExitCode {
  if (json) process.stdout.write(`${JSON.stringify({ ran: false, code: 'WORKFLOWS_INVALID', problems })}\n`);
  else for (const problem of problems) process.stderr.write(`${formatIssues(problem.file, problem.issues)}\n`);
  if (!json) process.stderr.write(`${problems.length} workflow file(s) of --workflows did not register; nothing was run.\n`);
  return ExitCode.invalid;
}

function summarize(result: WorkflowResult): string {
  const lines = [`\n${result.workflowId}: ${result.status} in ${result.durationMs} ms (version ${result.version}, execution ${result.executionId})`];
  if (result.error) lines.push(`error: ${result.error.code}: ${result.error.message}${result.error.stepId ? ` (step ${result.error.stepId})` : ''}`);
  if (result.output !== null && result.output !== undefined) lines.push(`output: ${JSON.stringify(result.output, null, 2)}`);
  return `${lines.join('\n')}\n`;
}
