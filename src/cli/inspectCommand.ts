import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { createLocalInspector } from '../inspect/createLocalInspector.js';
import { createRuntime } from '../runtime/createRuntime.js';
import { detectCapabilities } from '../tools/detectCapabilities.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';
import { reportNotRun } from './formatIssues.js';
import { loadWorkflowFile } from './loadWorkflowFile.js';
import { parseInputs } from './parseInputs.js';

/** How `orchkit run --inspect` shows a run: Stately's inspector UI (online) or the local page. */
export type InspectMode = 'stately' | 'local';

export interface InspectCommandOptions {
  input: string[];
  inputFile?: string;
  /** 0 picks a free port. */
  port: number;
  /** Start the run only once a page is open. */
  wait?: boolean;
  logger: Logger;
}

/**
 * `orchkit inspect <file>`: serves the offline inspector page on 127.0.0.1, runs the workflow,
 * and keeps serving until Ctrl-C; returns the exit code of the run.
 */
export async function inspectCommand(file: string, options: InspectCommandOptions): Promise<ExitCode> {
  const env = await detectCapabilities();
  const runtime = createRuntime({ tools: defaultTools(), logger: options.logger, env: { ...env } });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', onSignal);
  let inspector: Awaited<ReturnType<typeof createLocalInspector>> | undefined;
  try {
    const definition = await loadWorkflowFile(file, runtime.tools);
    const input = await parseInputs(options.input, options.inputFile, definition.input);
    const correlationId = randomUUID();
    inspector = await createLocalInspector({ runtime, definition, correlationId, port: options.port });
    process.stderr.write(`orchkit inspector for ${definition.id}: ${inspector.url}\n`);
    if (options.wait) {
      process.stderr.write('waiting for a page to open it before the run starts (Ctrl-C to stop)\n');
      await Promise.race([inspector.viewed(), untilAborted(abort.signal)]);
      if (abort.signal.aborted) return ExitCode.runFailed;
    }
    const result = await runtime.startWorkflow(definition, { input, correlationId, signal: abort.signal }).result;
    process.stdout.write(`${result.workflowId}: ${result.status} in ${result.durationMs} ms (execution ${result.executionId})\n`);
    await keepServing(inspector.url, abort.signal);
    return result.status === 'completed' ? ExitCode.ok : ExitCode.runFailed;
  } catch (error) {
    if (isWorkflowValidationError(error)) return reportNotRun(file, error);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    await inspector?.stop();
    await runtime.stop();
  }
}

/**
 * After a run, keeps an inspector serving until the user presses Ctrl-C (which aborts `signal`;
 * a Ctrl-C during the run already did, so this returns at once).
 */
export async function keepServing(url: string, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  process.stderr.write(`the run is over; still serving ${url} (Ctrl-C to stop)\n`);
  await untilAborted(signal);
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
