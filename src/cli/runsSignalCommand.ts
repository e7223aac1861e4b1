import { waitingSteps } from './waitingSteps.js';
import { existsSync } from 'node:fs';
import type { WorkflowContext } from '../machines/workflow/WorkflowContext.js';
import { isOrchkitError } from '../errors/OrchkitError.js';
import type { WorkflowExecution } from '../runtime/startExecution.js';
import { durableRuntime, DEFAULT_STORE, sqliteFile, type RunsOptions } from './runsCommand.js';
import { ExitCode } from './exitCodes.js';

/**
 * Settles once the run has ended or is parked again: every unfinished step a `wait` in phase
 * `waiting`, nothing queued. `true` when it ended.
 */
function endedOrParked(execution: WorkflowExecution): Promise<boolean> {
  const parked = (): boolean => {
    const { context, status } = execution.actor.getSnapshot() as { context: WorkflowContext; status: string };
    if (status !== 'active') return false;
    const open = Object.values(context.steps).filter((s) => s.status === 'running' || s.status === 'pending');
    return context.queue.length === 0 && open.some((s) => s.phase === 'waiting') && open.every((s) => s.phase === 'waiting' || s.status === 'pending');
  };
  return new Promise((resolve) => {
    const check = (): void => {
      if (!parked()) return;
      subscription.unsubscribe();
      resolve(false);
    };
    const subscription = execution.actor.subscribe({ next: check });
    void execution.result.then(() => {
      subscription.unsubscribe();
      resolve(true);
    });
    check();
  });
}

/**
 * `orchkit runs signal <id> <name> [--payload JSON]`: takes up the stored run here (it must not be
 * held by a live node), delivers the signal, runs it until it ends or parks on its next wait, and
 * suspends it again in the store in the latter case. Prints what happened.
 */
export async function runsSignalCommand(executionId: string, name: string, options: RunsOptions & { payload?: string }): Promise<ExitCode> {
  let payload: unknown;
  if (options.payload !== undefined) {
    try {
      payload = JSON.parse(options.payload) as unknown;
    } catch (error) {
      process.stderr.write(`SIGNAL_PAYLOAD_NOT_JSON: --payload is not JSON: ${error instanceof Error ? error.message : String(error)}\n`);
      return ExitCode.invalid;
    }
  }
  const file = sqliteFile(options.store ?? DEFAULT_STORE);
  if (file !== undefined && !existsSync(file)) {
    process.stderr.write(`EXECUTION_NOT_FOUND: the store ${file} does not exist\n`);
    return ExitCode.invalid;
  }
  const runtime = await durableRuntime(options);
  try {
    const record = await runtime.store?.getExecution(executionId);
    if (record?.status === 'paused') {
      process.stderr.write(`EXECUTION_NOT_LOADED: ${executionId} is paused; orchkit runs resume ${executionId} takes it up, then signal it\n`);
      return ExitCode.runFailed;
    }
    const [execution] = await runtime.resume({ executionId });
    if (!execution) {
      // Not taken up: finished or unknown (signal() says which), or held by another node (signal() keeps it in the store for that node).
      await runtime.signal(executionId, name, payload);
      return ExitCode.ok;
    }
    await runtime.signal(executionId, name, payload);
    if (await endedOrParked(execution)) {
      const result = await execution.result;
      process.stdout.write(`${executionId}: signal ${name} delivered; the run ${result.status}\n`);
      if (result.output !== undefined) process.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
      return result.status === 'completed' ? ExitCode.ok : ExitCode.runFailed;
    }
    const waiting = waitingSteps(execution.actor.getSnapshot());
    process.stdout.write(`${executionId}: signal ${name} delivered; the run waits again: ${waiting.join(', ')}\n`);
    return ExitCode.ok;
  } catch (error) {
    if (!isOrchkitError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return ExitCode.runFailed;
  } finally {
    await runtime.stop();
  }
}
