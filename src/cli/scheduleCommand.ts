import { isOrchkitError } from '../errors/OrchkitError.js';
import { ScheduleError } from '../errors/ScheduleError.js';
import { openScheduleStore } from '../runtime/schedules/openScheduleStore.js';
import type { ScheduleState, ScheduleStore, Tick } from '../runtime/schedules/ScheduleStore.js';
import { createStore } from '../runtime/store/createStore.js';
import { ExitCode } from './exitCodes.js';

/** Options of the `orchkit schedule` commands. */
export interface ScheduleCommandOptions {
  /** A PostgreSQL store URL (`postgres://user@host/db[?schema=name]`): schedules are shared there. */
  store: string;
  json?: boolean;
}

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());
const print = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};
const describeTick = (tick: Tick | undefined): string => (tick === undefined ? '-' : `${tick.kind} ${iso(tick.tickAt)} ${tick.status}${tick.node ? ` on ${tick.node}` : ''}`);

/**
 * Opens the store's schedule tables, runs `body`, closes both; orchkit errors become a message on
 * stderr and exit code 1 (2 for an unknown schedule or a store that cannot hold schedules).
 */
async function withSchedules(options: ScheduleCommandOptions, body: (schedules: ScheduleStore) => Promise<ExitCode>): Promise<ExitCode> {
  const executions = createStore(options.store);
  let schedules: ScheduleStore | undefined;
  try {
    if (executions.kind !== 'postgres') {
      throw new ScheduleError('SCHEDULE_STORE_UNSUPPORTED', `schedules are shared through a PostgreSQL store; ${options.store} is ${executions.kind} (pass --store postgres://user@host/db)`, { path: 'store' });
    }
    schedules = await openScheduleStore(executions);
    await schedules.init();
    return await body(schedules);
  } catch (error) {
    if (!isOrchkitError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return error.code === 'SCHEDULE_NOT_FOUND' || error.code === 'SCHEDULE_STORE_UNSUPPORTED' ? ExitCode.invalid : ExitCode.runFailed;
  } finally {
    await schedules?.close();
    await executions.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** `orchkit schedule list`: every schedule the store knows, its cron, zone, policies, pause flag and latest tick. */
export function scheduleListCommand(options: ScheduleCommandOptions): Promise<ExitCode> {
  return withSchedules(options, async (store) => {
    const states = await store.list();
    if (options.json) {
      print(JSON.stringify(states, null, 2));
      return ExitCode.ok;
    }
    if (states.length === 0) {
      print(`no schedules in ${options.store} (a runtime registers its schedules when it starts)`);
      return ExitCode.ok;
    }
    const rows = states.map((s: ScheduleState) => [s.scheduleId, s.workflowId, s.cron, s.timezone, s.overlap, s.catchUp, s.paused ? 'paused' : 'active', describeTick(s.lastTick)]);
    print(table([['ID', 'WORKFLOW', 'CRON', 'TIMEZONE', 'OVERLAP', 'CATCH-UP', 'STATE', 'LAST TICK'], ...rows]));
    return ExitCode.ok;
  });
}

/** `orchkit schedule pause|resume <id>`: sets the pause flag every node reads at its next tick. */
export function schedulePauseCommand(scheduleId: string, paused: boolean, options: ScheduleCommandOptions): Promise<ExitCode> {
  return withSchedules(options, async (store) => {
    const state = await store.setPaused(scheduleId, paused, Date.now());
    print(options.json ? JSON.stringify(state, null, 2) : `schedule ${scheduleId} ${paused ? 'paused' : 'resumed'}`);
    return ExitCode.ok;
  });
}

/**
 * `orchkit schedule trigger <id>`: records a manual tick `requested`; the first node running the
 * schedule to poll (every `schedulePollMs`, 1 s by default) starts it under the overlap policy.
 */
export function scheduleTriggerCommand(scheduleId: string, options: ScheduleCommandOptions): Promise<ExitCode> {
  return withSchedules(options, async (store) => {
    const tick = await store.request(scheduleId, Date.now());
    print(options.json ? JSON.stringify(tick, null, 2) : `schedule ${scheduleId} triggered (manual tick ${iso(tick.tickAt)}): a node running it starts the run at its next poll`);
    return ExitCode.ok;
  });
}
