import { StoreError } from '../../errors/StoreError.js';
import { systemClock, type Clock } from '../../machines/Clock.js';
import { checkDurationOption, LEASE_MS_RANGE } from './checkDurationOption.js';
import { checkAccess } from './checkAccess.js';
import { encodeJson } from './encodeJson.js';
import { contextRow } from './contextRow.js';
import { executionRow } from './executionRow.js';
import type { DeadlineKind, ExecutionStore, JournalEntry, StoredSignal } from './ExecutionStore.js';
import { planJournalRows } from './planJournalRows.js';
import { contextFromRow, deadlineFromRow, executionFromRow, journalFromRow, type Row } from './fromRow.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Time source of leases, `updatedAt` and context expiry. */
  clock?: Pick<Clock, 'now'>;
}

const json = (value: unknown): unknown => JSON.parse(value as string);
const deadlineId = (executionId: string, kind: DeadlineKind, key: string): string => JSON.stringify([executionId, kind, key]);
const contextId = (sessionId: string, contextType: string): string => JSON.stringify([sessionId, contextType]);

/**
 * A store in process memory, for tests and for runs that need no durability. It keeps rows as
 * the SQL stores do (JSON as text), so it answers exactly as they do: records are copies, a value
 * that is not JSON is refused, and each method is atomic (JavaScript runs it to completion).
 *
 * @example
 * const store = createMemoryStore({ clock: new SimulatedClock() });
 * await store.createExecution({ executionId: 'e1', workflowId: 'w', version: '1', definition, input: {}, correlationId: 'c1', sessionId: 's1' });
 * (await store.getExecution('e1'))?.status; // 'running'
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): ExecutionStore {
  const clock = options.clock ?? systemClock;
  const executions = new Map<string, Row>();
  const journals = new Map<string, Row[]>();
  const deadlines = new Map<string, Row>();
  const kept = new Map<string, StoredSignal[]>();
  const contexts = new Map<string, Row>();
  let closed = false;

  // Runs `fn` as one atomic step and settles with its outcome, as the SQL stores do.
  const run = async <T>(fn: () => T): Promise<T> => {
    if (closed) throw StoreError.unavailable('the memory store is closed');
    return fn();
  };
  const row = (executionId: string): Row | undefined => executions.get(executionId);
  const record = (executionId: string) => executionFromRow(row(executionId) as Row, json);
  const dropDeadlines = (executionId: string): void => {
    for (const [id, d] of deadlines) if (d.execution_id === executionId) deadlines.delete(id);
  };
  const putDeadline = (executionId: string, kind: DeadlineKind, key: string, dueAt: number): void => {
    if (!executions.has(executionId)) throw new StoreError('STORE_NOT_FOUND', `no execution ${executionId} in the store`, { executionId });
    deadlines.set(deadlineId(executionId, kind, key), { execution_id: executionId, kind, deadline_key: key, due_at: dueAt });
  };
  const access = (executionId: string) => {
    const current = row(executionId);
    return current === undefined ? undefined : { status: current.status as string, owner: current.owner as string | null };
  };

  const store: ExecutionStore = {
    kind: 'memory',
    init: () => run(() => undefined),
    createExecution: (input) =>
      run(() => {
        if (executions.has(input.executionId)) {
          throw new StoreError('STORE_CONFLICT', `execution ${input.executionId} already exists`, { executionId: input.executionId });
        }
        const at = input.createdAt ?? clock.now();
        executions.set(input.executionId, { ...executionRow(input, at), result: null, updated_at: at });
        journals.set(input.executionId, []);
        return record(input.executionId);
      }),
    recordStep: async (executionId, entry, snapshot, stepOptions) => (await store.recordSteps(executionId, [entry], snapshot, stepOptions))[0] as JournalEntry,
    recordSteps: (executionId, entries, snapshot, stepOptions = {}) =>
      run(() => {
        checkAccess(access(executionId), executionId, 'record', stepOptions.owner);
        const journal = journals.get(executionId) as Row[];
        const now = clock.now();
        // Everything is encoded before anything changes: a failure leaves the store as it was.
        const maxSeq = journal.reduce((max, r) => Math.max(max, r.seq as number), 0);
        const { added, answer } = planJournalRows(executionId, entries, { maxSeq, stored: (seq) => journal.find((r) => r.seq === seq), now, json });
        if (added.length === 0) return answer;
        const encoded = encodeJson(snapshot, 'snapshot', executionId);
        for (const d of stepOptions.setDeadlines ?? []) {
          if (!executions.has(d.executionId)) throw new StoreError('STORE_NOT_FOUND', `no execution ${d.executionId} in the store`, { executionId: d.executionId });
        }
        journal.push(...added);
        journal.sort((a, b) => (a.seq as number) - (b.seq as number));
        Object.assign(row(executionId) as Row, { snapshot: encoded, updated_at: now });
        for (const d of stepOptions.setDeadlines ?? []) putDeadline(d.executionId, d.kind, d.key, d.dueAt);
        for (const d of stepOptions.clearDeadlines ?? []) deadlines.delete(deadlineId(d.executionId, d.kind, d.key));
        return answer;
      }),
    finishExecution: (executionId, status, result, snapshot, finishOptions = {}) =>
      run(() => {
        checkAccess(access(executionId), executionId, 'finish', finishOptions.owner);
        const changes = {
          status,
          result: encodeJson(result, 'result', executionId),
          snapshot: encodeJson(snapshot, 'snapshot', executionId),
          updated_at: clock.now(),
          owner: null,
          lease_expires_at: null,
        };
        Object.assign(row(executionId) as Row, changes);
        dropDeadlines(executionId);
        return record(executionId);
      }),
    getExecution: (executionId) => run(() => (executions.has(executionId) ? record(executionId) : undefined)),
    listExecutions: ({ status, owner, limit = 100 } = {}) =>
      run(() =>
        [...executions.values()]
          .filter((r) => (status === undefined || r.status === status) && (owner === undefined || r.owner === owner))
          .sort((a, b) => (b.created_at as number) - (a.created_at as number) || ((b.execution_id as string) < (a.execution_id as string) ? -1 : 1))
          .slice(0, limit)
          .map((r) => executionFromRow(r, json)),
      ),
    journal: (executionId) => run(() => (journals.get(executionId) ?? []).map((r) => journalFromRow(r, json))),
    setDeadline: (d) => run(() => putDeadline(d.executionId, d.kind, d.key, d.dueAt)),
    clearDeadline: (executionId, kind, key) => run(() => deadlines.delete(deadlineId(executionId, kind, key))),
    deadlines: (executionId) =>
      run(() =>
        [...deadlines.values()]
          .filter((d) => d.execution_id === executionId)
          .map(deadlineFromRow)
          .sort((a, b) => a.dueAt - b.dueAt || a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key)),
      ),
    saveContextEntries: (entries) =>
      run(() => {
        const rows = entries.map(contextRow);
        for (const r of rows) contexts.set(contextId(r.session_id as string, r.context_type as string), r);
        const now = clock.now();
        for (const [id, r] of contexts) if ((r.expires_at as number) <= now) contexts.delete(id);
      }),
    deleteContextEntries: (keys) =>
      run(() => {
        for (const key of keys) contexts.delete(contextId(key.sessionId, key.contextType));
      }),
    loadContextEntries: ({ sessionId } = {}) =>
      run(() => {
        const now = clock.now();
        return [...contexts.values()]
          .filter((r) => (r.expires_at as number) > now && (sessionId === undefined || r.session_id === sessionId))
          .map((r) => contextFromRow(r, json))
          .sort((a, b) => a.sessionId.localeCompare(b.sessionId) || a.contextType.localeCompare(b.contextType));
      }),
    claimRunnable: ({ owner, leaseMs, limit = 10, executionId }) =>
      run(() => {
        checkDurationOption('leaseMs', leaseMs, LEASE_MS_RANGE);
        const now = clock.now();
        const picked = [...executions.values()]
          .filter((r) => r.status === 'running' && (r.lease_expires_at === null || (r.lease_expires_at as number) <= now))
          .filter((r) => executionId === undefined || r.execution_id === executionId)
          .sort((a, b) => (a.updated_at as number) - (b.updated_at as number) || ((a.execution_id as string) < (b.execution_id as string) ? -1 : 1))
          .slice(0, limit);
        for (const r of picked) Object.assign(r, { owner, lease_expires_at: now + leaseMs });
        return picked.map((r) => executionFromRow(r, json));
      }),
    renewLease: (owner, executionIds, leaseMs) =>
      run(() => {
        checkDurationOption('leaseMs', leaseMs, LEASE_MS_RANGE);
        const until = clock.now() + leaseMs;
        return executionIds.filter((id) => {
          const r = row(id);
          if (r?.owner !== owner || r.status !== 'running') return false;
          r.lease_expires_at = until;
          return true;
        });
      }),
    releaseLease: (executionId, owner) =>
      run(() => {
        const r = row(executionId);
        if (r?.owner !== owner) return false;
        Object.assign(r, { owner: null, lease_expires_at: null });
        return true;
      }),
    addSignal: (executionId, name, payload) =>
      run(() => {
        checkAccess(access(executionId), executionId, 'request');
        const list = kept.get(executionId) ?? [];
        const seq = list.length + 1;
        list.push({ seq, name, payload: JSON.parse(JSON.stringify(payload ?? null)) as unknown });
        kept.set(executionId, list);
        return seq;
      }),
    signals: (executionId, afterSeq) => run(() => (kept.get(executionId) ?? []).filter((s) => s.seq > afterSeq).map((s) => ({ ...s }))),
    setStatus: (executionId, status) =>
      run(() => {
        checkAccess(access(executionId), executionId, 'request');
        Object.assign(row(executionId) as Row, { status, updated_at: clock.now() });
        return record(executionId);
      }),
    close: async () => {
      closed = true;
    },
  };
  return store;
}
