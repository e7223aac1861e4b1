import type { Logger } from 'pino';
import { isOrchkitError } from '../errors/OrchkitError.js';
import { createRuntime, type Runtime } from '../runtime/createRuntime.js';
import { createStore } from '../runtime/store/createStore.js';
import type { ExecutionRecord, ExecutionStatus, ExecutionStore, JournalEntry } from '../runtime/store/ExecutionStore.js';
import type { WorkflowExecution } from '../runtime/startExecution.js';
import { detectCapabilities } from '../tools/detectCapabilities.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';

/** The store `orchkit runs`, `orchkit worker` and `orchkit run --store` use when none is given. */
export const DEFAULT_STORE = 'sqlite:.orchkit/runs.db';

export interface RunsOptions {
  /** Store URL (`sqlite:<path>`, `postgres://...`); {@link DEFAULT_STORE} by default. */
  store?: string;
  json?: boolean;
  logger?: Logger;
}

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());
const print = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** Opens the store, runs `body`, closes it; store errors become a message and exit code 1. */
async function withStore(options: RunsOptions, body: (store: ExecutionStore) => Promise<ExitCode>): Promise<ExitCode> {
  const store = createStore(options.store ?? DEFAULT_STORE, options.logger ? { logger: options.logger } : {});
  try {
    await store.init();
    return await body(store);
  } catch (error) {
    if (!isOrchkitError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return ExitCode.runFailed;
  } finally {
    await store.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** `orchkit runs list`: id, workflow, status, owner and last update of stored executions, newest first. */
export function runsListCommand(options: RunsOptions & { status?: ExecutionStatus; limit?: number }): Promise<ExitCode> {
  return withStore(options, async (store) => {
    const records = await store.listExecutions({ ...(options.status ? { status: options.status } : {}), limit: options.limit ?? 100 });
    if (options.json) {
      print(JSON.stringify(records.map(summary), null, 2));
      return ExitCode.ok;
    }
    if (records.length === 0) {
      print(`no runs in ${options.store ?? DEFAULT_STORE}`);
      return ExitCode.ok;
    }
    print(table([['ID', 'WORKFLOW', 'STATUS', 'OWNER', 'UPDATED'], ...records.map((r) => [r.executionId, `${r.workflowId}@${r.version}`, r.status, r.owner ?? '-', iso(r.updatedAt)])]));
    return ExitCode.ok;
  });
}

function summary(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionId: record.executionId,
    workflowId: record.workflowId,
    version: record.version,
    status: record.status,
    owner: record.owner ?? null,
    leaseExpiresAt: record.leaseExpiresAt ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** `orchkit runs show <id>`: the record, its pending deadlines and its step journal. */
export function runsShowCommand(executionId: string, options: RunsOptions): Promise<ExitCode> {
  return withStore(options, async (store) => {
    const record = await store.getExecution(executionId);
    if (!record) {
      process.stderr.write(`no run ${executionId} in ${options.store ?? DEFAULT_STORE}\n`);
      return ExitCode.invalid;
    }
    const [journal, deadlines] = await Promise.all([store.journal(executionId), store.deadlines(executionId)]);
    if (options.json) {
      print(JSON.stringify({ ...summary(record), input: record.input, result: record.result ?? null, journal, deadlines }, null, 2));
      return ExitCode.ok;
    }
    const lines = [
      `run ${record.executionId}`,
      `  workflow:   ${record.workflowId}@${record.version}`,
      `  status:     ${record.status}`,
      `  owner:      ${record.owner ?? '-'}${record.leaseExpiresAt === undefined ? '' : ` (lease until ${iso(record.leaseExpiresAt)})`}`,
      `  created:    ${iso(record.createdAt)}`,
      `  updated:    ${iso(record.updatedAt)}`,
      `  session:    ${record.sessionId}`,
      `  input:      ${JSON.stringify(record.input)}`,
    ];
    const result = record.result as { output?: unknown; error?: { code: string; message: string } } | undefined;
    if (result?.output !== undefined && result.output !== null) lines.push(`  output:     ${JSON.stringify(result.output)}`);
    if (result?.error) lines.push(`  error:      ${result.error.code}: ${result.error.message}`);
    for (const deadline of deadlines) lines.push(`  deadline:   ${deadline.kind} ${deadline.key} at ${iso(deadline.dueAt)}`);
    lines.push('journal:');
    if (journal.length === 0) lines.push('  (empty)');
    else lines.push(table(journal.map((entry) => ['  ' + String(entry.seq), iso(entry.at), entry.kind, entry.stepId, `attempt ${entry.attempt}`, describeEntry(entry)])));
    print(lines.join('\n'));
    return ExitCode.ok;
  });
}

function describeEntry(entry: JournalEntry): string {
  if (entry.error) return `${entry.error.code}: ${entry.error.message}`;
  if (entry.output !== undefined) {
    const text = JSON.stringify(entry.output);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
  return '';
}

/**
 * `orchkit runs cancel <id>` and `orchkit runs pause <id>`: asks for the run to be cancelled or
 * paused. Its owner acts at its next lease renewal; a run nobody holds is not resumed (a paused
 * one until `orchkit runs resume <id>`).
 */
export function runsRequestCommand(executionId: string, status: 'cancelled' | 'paused', options: RunsOptions): Promise<ExitCode> {
  return withStore(options, async (store) => {
    const record = await store.getExecution(executionId);
    if (!record) {
      process.stderr.write(`no run ${executionId} in ${options.store ?? DEFAULT_STORE}\n`);
      return ExitCode.invalid;
    }
    const updated = await store.setStatus(executionId, status);
    print(`${updated.executionId}: ${updated.status}${updated.owner ? ` (${updated.owner} stops it at its next lease renewal)` : ''}`);
    return ExitCode.ok;
  });
}

async function durableRuntime(options: RunsOptions & { leaseMs?: number; nodeId?: string }): Promise<Runtime> {
  const env = await detectCapabilities();
  return createRuntime({
    tools: defaultTools(),
    store: options.store ?? DEFAULT_STORE,
    env: { ...env },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
  });
}

/** Prints how a run ended; true when it completed. */
const finished = (execution: WorkflowExecution): Promise<boolean> =>
  execution.result.then((result) => {
    print(`${result.executionId}: ${result.status}${result.error ? ` (${result.error.code}: ${result.error.message})` : ''}`);
    return result.status === 'completed';
  });

/**
 * `orchkit runs resume [id]`: takes over the runs left running whose lease has lapsed (or, with an
 * id, that run, paused or left running), with the default tool pack, and waits for them. Runs
 * another node still holds are left to it (and reported).
 */
export async function runsResumeCommand(options: RunsOptions & { leaseMs?: number; executionId?: string }): Promise<ExitCode> {
  const runtime = await durableRuntime(options);
  const store = runtime.store;
  const only = options.executionId === undefined ? {} : { executionId: options.executionId };
  try {
    const waiting: Promise<boolean>[] = [];
    for (;;) {
      const claimed = await runtime.resume({ limit: 100, ...only });
      if (claimed.length === 0) break;
      for (const execution of claimed) {
        print(`resuming ${execution.executionId}`);
        waiting.push(finished(execution));
      }
      if (options.executionId !== undefined) break;
    }
    const here = new Set(runtime.executions().map((e) => e.executionId));
    const stillRunning = store ? await store.listExecutions({ status: 'running', limit: 1_000 }) : [];
    const leased = stillRunning.filter((r) => !here.has(r.executionId) && (options.executionId === undefined || r.executionId === options.executionId));
    if (waiting.length === 0) print('nothing to resume');
    for (const record of leased) print(`${record.executionId}: leased by ${record.owner ?? '?'} until ${iso(record.leaseExpiresAt)}; not resumed`);
    const completed = await Promise.all(waiting);
    return completed.every(Boolean) ? ExitCode.ok : ExitCode.runFailed;
  } catch (error) {
    if (!isOrchkitError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return ExitCode.runFailed;
  } finally {
    await runtime.stop();
  }
}

/**
 * `orchkit worker`: claims runnable runs every `leaseMs / 2` (new ones, and those of nodes whose
 * lease lapsed) until SIGINT or SIGTERM, then stops: runs still going are suspended, their leases
 * released for another worker.
 */
export async function workerCommand(options: RunsOptions & { leaseMs?: number; nodeId?: string; signal?: AbortSignal }): Promise<ExitCode> {
  const leaseMs = options.leaseMs ?? 30_000;
  const runtime = await durableRuntime({ ...options, leaseMs });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
  print(`worker polling ${options.store ?? DEFAULT_STORE} every ${Math.round(leaseMs / 2)} ms (lease ${leaseMs} ms); Ctrl-C stops`);
  try {
    while (!abort.signal.aborted) {
      try {
        for (const execution of await runtime.resume({ limit: 100 })) {
          print(`claimed ${execution.executionId}`);
          void finished(execution);
        }
      } catch (error) {
        // A store that is down for a while is retried at the next poll.
        if (!isOrchkitError(error) || error.code === 'RUNTIME_STOPPED') throw error;
        options.logger?.error({ err: error }, 'resume failed; retrying');
      }
      await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, leaseMs / 2)))]);
      clearTimeout(timer);
    }
    const suspended = runtime.executions().length;
    await runtime.stop();
    print(`worker stopped${suspended > 0 ? `; ${suspended} run(s) suspended for another worker` : ''}`);
    return ExitCode.ok;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runtime.stop();
  }
}
