import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { seeded } from './support/seeded.js';
import { prepareWorkerLaunch, type WorkerLaunch } from './support/workerLaunch.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../src/runtime/store/createStore.js';

/**
 * Crash test with real processes: a worker (test/fixtures/crashWorker.ts) starts executions of a
 * 6-step chain on SQLite and is killed with SIGKILL at seeded random points; resume workers are
 * started and killed in turn until one finishes on its own. Then every execution must be
 * completed, each step's side effect recorded exactly once, the journal whole, and the retry
 * timer of step `c` fired at its original deadline (not re-armed with its full delay).
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const workerSource = path.join(root, 'test/fixtures/crashWorker.ts');
const SEED = 0x0c4a_5e1d;
const MIN_KILLS = 50;
/** Stop starting new databases after this long (the test must stay under ~3 min). */
const BUDGET_MS = 150_000;
const EXECUTIONS_PER_DB = 5;
/** Databases crashed at the same time. */
const LANES = 2;
const MAX_KILLS_PER_DB = 8;
const STEPS = ['a', 'b', 'c', 'd', 'e', 'f'];
const RETRY_DELAY_MS = 150;
/** A tool call lasts 20-40 ms; the failing attempt's start is logged before it. */
const STEP_MS_MAX = 40;
/** Slack for a resumed retry timer: less than the full delay, so re-arming it from scratch fails. */
const TIMER_TOLERANCE_MS = 120;

let dir: string;
let launch: WorkerLaunch;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-crash-'));
  launch = await prepareWorkerLaunch(workerSource, 'crashWorker');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await launch.cleanup();
});

interface WorkerRun {
  /** true when the worker was killed, false when it exited on its own. */
  killed: boolean;
  code: number | null;
  lines: string[];
  stderr: string;
}

/**
 * Runs one worker; `killAfterMs` counts from its `ready` line (the store is open), so the kill
 * lands in the run rather than in Node's startup. `undefined`: never kill.
 */
function runWorker(db: string, effects: string, args: string[], killAfterMs: number | undefined): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(launch.command, [...launch.args, db, effects, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready' && killAfterMs !== undefined)
        timer = setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, killAfterMs);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearTimeout(watchdog);
      resolve({ killed: killed && code !== 0, code, lines, stderr });
    });
  });
}

describe('crash test (real processes, SIGKILL, SQLite)', () => {
  it(`every execution completes with each side effect once after >= ${MIN_KILLS} seeded kill -9s`, { timeout: 240_000 }, async () => {
    const started = Date.now();
    let kills = 0;
    let databases = 0;
    let checkedTimers = 0;
    let resumedTimers = 0;

    /** One database: a start worker, then resume workers, killed at random until one finishes. */
    const crashOne = async (db: number): Promise<void> => {
      // One seeded PRNG per database, so its kill points do not depend on the other lane.
      const random = seeded(SEED + db);
      const delay = (): number => Math.round(50 + random() * 550);
      const dbFile = path.join(dir, `runs-${db}.db`);
      const effectsFile = path.join(dir, `effects-${db}.txt`);
      const persisted = new Set<string>();
      /** Claim times of each execution by resume workers. */
      const claims = new Map<string, number[]>();
      const note = (run: WorkerRun): void => {
        for (const line of run.lines) {
          const [word, id, at] = line.split(' ');
          if (word === 'persisted' && id) persisted.add(id);
          if (word === 'started' && id && at) claims.set(id, [...(claims.get(id) ?? []), Number(at)]);
        }
      };

      const first = await runWorker(dbFile, effectsFile, ['start', String(EXECUTIONS_PER_DB)], delay());
      note(first);
      if (first.killed) kills++;
      else expect(first.code, first.stderr).toBe(0);

      let killsHere = first.killed ? 1 : 0;
      for (let attempt = 0; ; attempt++) {
        expect(attempt, 'resume workers never finished').toBeLessThan(40);
        const allowKill = killsHere < MAX_KILLS_PER_DB && kills < MIN_KILLS + 5;
        const run = await runWorker(dbFile, effectsFile, ['resume'], allowKill ? delay() : undefined);
        note(run);
        if (run.killed) {
          kills++;
          killsHere++;
          continue;
        }
        expect(run.code, run.stderr).toBe(0);
        break;
      }

      const store = createStore(`sqlite:${dbFile}`);
      try {
        const records = await store.listExecutions({ limit: 1_000 });
        // Nothing lost: every execution the store acknowledged is there, and no more were made.
        expect(records.map((r) => r.executionId)).toEqual(expect.arrayContaining([...persisted]));
        expect(records.length).toBeLessThanOrEqual(EXECUTIONS_PER_DB);
        const effects = existsSync(effectsFile) ? readFileSync(effectsFile, 'utf8').split('\n').filter(Boolean) : [];
        const timingsFile = `${effectsFile}.timings`;
        const timings = existsSync(timingsFile) ? readFileSync(timingsFile, 'utf8').split('\n').filter(Boolean) : [];
        const expectedEffects: string[] = [];
        for (const record of records) {
          expect(record.status, record.executionId).toBe('completed');
          expect((record.result as { output?: unknown }).output).toEqual({ n: 6 });
          const journal = await store.journal(record.executionId);
          // Contiguous, no gaps or duplicates. (The writer numbers from 0, ExecutionStore documents 1, 2, 3.)
          const firstSeq = journal[0]?.seq ?? 0;
          expect(journal.map((e) => e.seq)).toEqual(journal.map((_, i) => firstSeq + i));
          for (const step of STEPS) {
            expect(journal.filter((e) => e.stepId === step && e.kind === 'step.completed'), `${record.executionId}:${step}`).toHaveLength(1);
            expectedEffects.push(`${record.executionId}:${step}`);
          }
          const timer = retryTimer(timings, record.executionId);
          if (timer) {
            checkedTimers++;
            // The engine arms the retry when attempt 1 has failed, a little after it started.
            const due = timer.failedAttemptAt + RETRY_DELAY_MS;
            // Never early; and no later than the deadline, or the takeover when it was past due.
            expect(timer.retryAt, `retry of ${record.executionId} fired early`).toBeGreaterThanOrEqual(due);
            const takeover = (claims.get(record.executionId) ?? []).filter((t) => t > timer.failedAttemptAt && t <= timer.retryAt);
            if (takeover.length > 0) resumedTimers++;
            const from = Math.max(due + STEP_MS_MAX, ...takeover);
            expect(timer.retryAt - from, `retry of ${record.executionId} fired late`).toBeLessThanOrEqual(TIMER_TOLERANCE_MS);
          }
        }
        // Each step's side effect exactly once, and none for executions the store does not know.
        expect([...effects].sort()).toEqual(expectedEffects.sort());
        expect(await store.listExecutions({ status: 'running' })).toEqual([]);
      } finally {
        await store.close();
      }
    };
    // Workers mostly sleep (tool calls, lease lapses), so two databases at a time fit on two cores.
    const lane = async (): Promise<void> => {
      while (kills < MIN_KILLS && Date.now() - started < BUDGET_MS) await crashOne(++databases);
    };
    await Promise.all(Array.from({ length: LANES }, lane));

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `crash test: ${kills} kills over ${databases} databases in ${seconds} s; ${checkedTimers} retry timers checked, ${resumedTimers} of them across a takeover (worker: ${launch.args[0]?.endsWith('.mjs') ? 'esbuild bundle' : 'tsx'})\n`,
    );
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
  });
});

/**
 * From the step-`c` attempt log: the start of the last failing attempt before the first retry, and
 * that retry's start. (A crash before the failure was journaled runs attempt 1 again.)
 */
function retryTimer(timings: string[], executionId: string): { failedAttemptAt: number; retryAt: number } | undefined {
  const key = `${executionId}:c`;
  const rows = timings.map((line) => line.split(' ')).filter(([, k]) => k === key);
  const retryIndex = rows.findIndex(([kind]) => kind === 'retry');
  if (retryIndex < 1) return undefined;
  return { failedAttemptAt: Number(rows[retryIndex - 1]?.[2]), retryAt: Number(rows[retryIndex]?.[2]) };
}
