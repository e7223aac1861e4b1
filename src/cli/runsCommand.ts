import { waitingSteps } from './waitingSteps.js';
import { existsSync } from 'node:fs';
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

/** The file of a `sqlite:` store URL (or a bare `.db` path), else undefined. */
export function sqliteFile(url: string): string | undefined {
  const path = url.startsWith('sqlite://') ? url.slice('sqlite://'.length) : url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : /\.(db|sqlite|sqlite3)$/i.test(url) ? url : undefined;
  return path === undefined || path === ':memory:' ? undefined : path;
}

/**
 * Opens the store, runs `body`, closes it; store errors become a message and exit code 1. A
 * SQLite file that does not exist holds no runs: `onMissing` answers, and no file is created.
 */
async function withStore(options: RunsOptions, body: (store: ExecutionStore) => Promise<ExitCode>, onMissing?: (file: string) => ExitCode): Promise<ExitCode> {
  const url = options.store ?? DEFAULT_STORE;
  const file = sqliteFile(url);
  if (file !== undefined && !existsSync(file)) {
    if (onMissing) return onMissing(file);
    process.stderr.write(`no runs: the store ${file} does not exist (orchkit run --store ${url} creates it)\n`);
    return ExitCode.invalid;
  }
  const store = createStore(url, options.logger ? { logger: options.logger } : {});
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
    const rows = records.map((r) => [r.executionId, `${r.workflowId}@${r.version}`, r.status, r.owner ?? '-', iso(r.updatedAt), waitingSteps(r.snapshot).join(', ') || '-']);
    print(table([['ID', 'WORKFLOW', 'STATUS', 'OWNER', 'UPDATED', 'WAITING'], ...rows]));
    return ExitCode.ok;
  }, (file) => {
    print(options.json ? '[]' : `no runs in ${options.store ?? DEFAULT_STORE} (${file} does not exist yet)`);
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
    waitingFor: record.status === 'running' || record.status === 'paused' ? waitingSteps(record.snapshot) : [],
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

export async function durableRuntime(options: RunsOptions & { leaseMs?: number; nodeId?: string }): Promise<Runtime> {
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

/** Prints how a run ended, with its output; true when it completed. */
const finished = (execution: WorkflowExecution): Promise<boolean> =>
  execution.result.then((result) => {
    const output = result.status === 'completed' && result.output !== null && result.output !== undefined ? `\noutput: ${JSON.stringify(result.output, null, 2)}` : '';
    print(`${result.executionId}: ${result.status}${result.error ? ` (${result.error.code}: ${result.error.message})` : ''}${output}`);
    return result.status === 'completed';
  });

/** Options of {@link runsResumeCommand}. */
export interface RunsResumeOptions extends RunsOptions {
  leaseMs?: number;
  executionId?: string;
  /** The run named is leased by another node: wait until its lease lapses or its owner lets it go, then take it. */
  wait?: boolean;
  /** The run named is leased by another node: take it now (for an owner known to be dead; a live one stops it at its next renewal). */
  force?: boolean;
  /** How often `wait` looks at the lease; 1 s by default. */
  pollMs?: number;
}

/**
 * `orchkit runs resume [id]`: takes over the runs left running whose lease has lapsed (or, with an
 * id, that run, paused or left running), with the default tool pack, and waits for them, printing
 * how each ended and its output. Runs another node still holds are left to it and reported, with
 * `--wait` and `--force` as the ways to take one.
 */
export async function runsResumeCommand(options: RunsResumeOptions): Promise<ExitCode> {
  const file = sqliteFile(options.store ?? DEFAULT_STORE);
  if (file !== undefined && !existsSync(file)) {
    print(`nothing to resume: the store ${file} does not exist`);
    return options.executionId === undefined ? ExitCode.ok : ExitCode.invalid;
  }
  const runtime = await durableRuntime(options);
  const store = runtime.store;
  const only = options.executionId === undefined ? {} : { executionId: options.executionId };
  try {
    if (store && options.executionId !== undefined && (options.wait || options.force)) {
      const ended = await takeLeased(store, options.executionId, options);
      if (ended !== undefined) return ended;
    }
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
    for (const record of leased) {
      print(`${record.executionId}: leased by ${record.owner ?? '?'} until ${iso(record.leaseExpiresAt)}; not resumed (--wait takes it once the lease lapses, --force takes it now)`);
    }
    const completed = await Promise.all(waiting);
    return completed.every(Boolean) && (options.executionId === undefined || leased.length === 0) ? ExitCode.ok : ExitCode.runFailed;
  } catch (error) {
    if (!isOrchkitError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return ExitCode.runFailed;
  } finally {
    await runtime.stop();
  }
}

/**
 * Makes a leased run resumable: `force` releases its owner's lease; `wait` polls until the lease
 * lapses or is released. Returns an exit code when there is nothing left to resume (the run
 * ended meanwhile, or does not exist), else undefined.
 */
async function takeLeased(store: ExecutionStore, executionId: string, options: RunsResumeOptions): Promise<ExitCode | undefined> {
  for (let announced = false; ; ) {
    const record = await store.getExecution(executionId);
    if (!record) {
      process.stderr.write(`no run ${executionId} in ${options.store ?? DEFAULT_STORE}\n`);
      return ExitCode.invalid;
    }
    if (record.status !== 'running') {
      if (record.status === 'paused') return undefined;
      const result = record.result as { output?: unknown } | undefined;
      const output = record.status === 'completed' && result?.output !== undefined && result.output !== null ? `\noutput: ${JSON.stringify(result.output, null, 2)}` : '';
      print(`${executionId}: ${record.status}${record.owner ? ` (on ${record.owner})` : ''}${output}`);
      return record.status === 'completed' ? ExitCode.ok : ExitCode.runFailed;
    }
    const leasedUntil = record.owner ? (record.leaseExpiresAt ?? 0) : 0;
    if (leasedUntil <= Date.now()) return undefined;
    if (options.force && record.owner) {
      await store.releaseLease(executionId, record.owner);
      print(`${executionId}: took the lease from ${record.owner}`);
      return undefined;
    }
    if (!announced) {
      print(`${executionId}: leased by ${record.owner} until ${iso(record.leaseExpiresAt)}; waiting for the lease to lapse or the run to end (Ctrl-C stops waiting)`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(options.pollMs ?? 1_000, leasedUntil - Date.now() + 10))));
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
