import { z } from 'zod';
import type { WorkflowDefinitionInput } from '../../definition/WorkflowDefinitionSchema.js';
import { ScheduleError, type ScheduleErrorCode } from '../../errors/ScheduleError.js';
import { cronTimes, type CronTimes } from './cronTimes.js';

/** What a tick does while an earlier run of its schedule is still running. */
export const ScheduleOverlap = { skip: 'skip', queue: 'queue', allow: 'allow' } as const;
export type ScheduleOverlap = (typeof ScheduleOverlap)[keyof typeof ScheduleOverlap];

/**
 * Ticks missed while no node ran the schedule (all nodes down, or the schedule just came back):
 * `latest` runs the most recent missed tick once (the default), `all` runs each missed tick in
 * order (at most {@link MAX_CATCH_UP} of them, the latest ones), `none` runs none of them.
 */
export const ScheduleCatchUp = { latest: 'latest', all: 'all', none: 'none' } as const;
export type ScheduleCatchUp = (typeof ScheduleCatchUp)[keyof typeof ScheduleCatchUp];

/** Most missed ticks `catchUp: 'all'` runs after one downtime. */
export const MAX_CATCH_UP = 100;

const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** One entry of `createRuntime({ schedules })`. */
export const ScheduleOptionsSchema = z.object({
  /** Unique among the schedules sharing a store: letters, digits, `_ . : -`, at most 128. */
  id: z.string().regex(SCHEDULE_ID, 'letters, digits, "_", ".", ":" or "-", at most 128, starting with a letter or digit'),
  /** The workflow each tick runs: a definition object (or, with a workflow registry, its id). */
  workflow: z.union([z.string().min(1), z.looseObject({})]),
  /** Cron expression: 5 fields (`0 3 * * *`) or 6 with seconds first (`*\/10 * * * * *`). */
  cron: z.string().min(1),
  /** Workflow input of every run. */
  input: z.unknown().optional(),
  /** IANA time zone the cron fields are read in; `UTC` by default. */
  timezone: z.string().min(1).default('UTC'),
  overlap: z.enum(['skip', 'queue', 'allow']).default('skip'),
  catchUp: z.enum(['latest', 'all', 'none']).default('latest'),
  /** Registered paused (only when the store does not know the schedule yet). */
  paused: z.boolean().default(false),
});

/** The shape users write: `createRuntime({ schedules: [{ id, workflow, cron, ... }] })`. */
export type ScheduleOptions = Omit<z.input<typeof ScheduleOptionsSchema>, 'workflow'> & { workflow: WorkflowDefinitionInput | string };

/** A checked schedule: defaults filled in, its cron read. */
export type Schedule = Omit<z.output<typeof ScheduleOptionsSchema>, 'workflow'> & {
  workflow: WorkflowDefinitionInput | string;
  /** The workflow id its runs have (the definition's `id`, or the id named). */
  workflowId: string;
  times: CronTimes;
};

const CODE_OF: Record<string, ScheduleErrorCode> = { cron: 'SCHEDULE_INVALID_CRON', timezone: 'SCHEDULE_INVALID_TIMEZONE', overlap: 'SCHEDULE_INVALID_OVERLAP' };

/**
 * Checks `createRuntime({ schedules })`: each field, the cron expression (by croner), the time
 * zone (by `Intl`), and that ids are unique. The first problem throws a `ScheduleError` whose
 * `path` names the field (`schedules[1].timezone`): `SCHEDULE_INVALID_CRON`,
 * `SCHEDULE_INVALID_TIMEZONE`, `SCHEDULE_INVALID_OVERLAP`, else `SCHEDULE_INVALID`.
 *
 * @example
 * const schedules = parseSchedules([{ id: 'nightly', workflow: rebuild, cron: '0 3 * * *', timezone: 'Europe/Berlin' }]);
 */
export function parseSchedules(entries: readonly ScheduleOptions[]): Schedule[] {
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const at = `schedules[${index}]`;
    const parsed = ScheduleOptionsSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0] as z.core.$ZodIssue;
      const field = issue.path.map(String).join('.');
      const path = field === '' ? at : `${at}.${field}`;
      throw new ScheduleError(CODE_OF[String(issue.path[0])] ?? 'SCHEDULE_INVALID', `${path}: ${issue.message}`, { path });
    }
    const options = parsed.data;
    if (seen.has(options.id)) throw new ScheduleError('SCHEDULE_INVALID', `${at}.id: another schedule is called "${options.id}"`, { path: `${at}.id` });
    seen.add(options.id);
    checkTimezone(options.timezone, `${at}.timezone`);
    const times = readCron(options.cron, options.timezone, `${at}.cron`);
    const workflow = entry.workflow;
    const definitionId = typeof workflow === 'string' ? workflow : (workflow as { id?: unknown }).id;
    const workflowId = typeof definitionId === 'string' ? definitionId : '';
    if (workflowId === '') throw new ScheduleError('SCHEDULE_INVALID', `${at}.workflow: a workflow definition needs an id`, { path: `${at}.workflow` });
    return { ...options, workflow, workflowId, times };
  });
}

function checkTimezone(timezone: string, path: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch (error) {
    throw new ScheduleError('SCHEDULE_INVALID_TIMEZONE', `${path}: ${JSON.stringify(timezone)} is not an IANA time zone (e.g. "UTC", "Europe/Berlin")`, { path, cause: error });
  }
}

function readCron(expression: string, timezone: string, path: string): CronTimes {
  let times: CronTimes;
  try {
    times = cronTimes(expression, timezone);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScheduleError('SCHEDULE_INVALID_CRON', `${path}: ${JSON.stringify(expression)} is not a cron expression (${reason})`, { path, cause: error });
  }
  // Probed from a fixed instant: an expression that never matches (Feb 30) is refused the same way whatever the clock says.
  if (times.next(0) === undefined) throw new ScheduleError('SCHEDULE_INVALID_CRON', `${path}: ${JSON.stringify(expression)} never matches a time`, { path });
  return times;
}
