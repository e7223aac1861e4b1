import type { ErrorInfo } from '../../errors/ErrorInfo.js';
import type { ContextEntry } from '../../actors/SessionContext.js';

/** Lifecycle of a stored execution. `paused` and a `cancelled` set by `setStatus` are requests to the owner. */
export const ExecutionStatus = {
  running: 'running',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timedOut: 'timed_out',
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/** The statuses `finishExecution` writes. */
export type FinishedStatus = 'completed' | 'failed' | 'cancelled' | 'timed_out';
/** The statuses `setStatus` requests: pause, resume, cancel. */
export type RequestedStatus = 'running' | 'paused' | 'cancelled';

/** One durable execution. JSON fields come back as parsed copies; changing them changes nothing stored. */
export interface ExecutionRecord {
  executionId: string;
  workflowId: string;
  version: string;
  /** The validated definition it runs (JSON), so any node can resume it. */
  definition: unknown;
  input: unknown;
  correlationId: string;
  sessionId: string;
  status: ExecutionStatus;
  /** The persisted XState snapshot (JSON), or null before the first step is recorded. */
  snapshot: unknown;
  createdAt: number;
  updatedAt: number;
  /** The runtime holding the lease; absent when nobody does. */
  owner?: string;
  /** When the lease lapses (ms since epoch); another owner may claim it from then on. */
  leaseExpiresAt?: number;
  /** The `WorkflowResult` (JSON), once finished. */
  result?: unknown;
}

/** What `createExecution` takes; `status` defaults to `running`, times to the store clock. */
export type NewExecution = Omit<ExecutionRecord, 'status' | 'snapshot' | 'createdAt' | 'updatedAt' | 'result'> & {
  status?: 'running' | 'paused';
  snapshot?: unknown;
  createdAt?: number;
};

/** The kinds of journal entries, one per step transition. */
export type JournalKind = 'step.started' | 'step.completed' | 'step.failed' | 'step.skipped' | 'step.retrying' | 'step.signalled' | 'item.started' | 'item.completed' | 'item.failed' | 'item.retrying';

/** One append-only journal entry: a step transition with its output or error. */
export interface JournalEntry {
  executionId: string;
  /** 1, 2, 3, ... per execution, in the order recorded. */
  seq: number;
  stepId: string;
  kind: JournalKind;
  attempt: number;
  output?: unknown;
  error?: ErrorInfo;
  /** When it happened (ms since epoch). */
  at: number;
}

/**
 * What `recordStep` takes. Without `seq` the store assigns the next one. With `seq`, a second
 * write of the same entry (same step, kind and attempt) is a no-op that returns the stored one,
 * so a call that failed with `STORE_UNAVAILABLE` (outcome unknown) can be retried safely.
 */
export type JournalEntryInput = Omit<JournalEntry, 'executionId' | 'seq' | 'at'> & { seq?: number; at?: number };

/** Kinds of pending deadlines. */
export type DeadlineKind = 'retry' | 'step_timeout' | 'wait' | 'workflow_timeout' | 'context_expiry';

/** A pending timer as an absolute time, so a resumed run waits only what remains. */
export interface Deadline {
  executionId: string;
  kind: DeadlineKind;
  /** The step id (retry, step_timeout, wait), the context type (context_expiry), or `workflow`. */
  key: string;
  /** ms since epoch. */
  dueAt: number;
}

/** Identifies one deadline. */
export type DeadlineKey = Omit<Deadline, 'dueAt'>;

/** Options of `recordStep`: fencing by owner, and deadlines changed in the same transaction. */
export interface RecordStepOptions {
  /** When given, the write fails with `STORE_CONFLICT` unless this owner holds the execution. */
  owner?: string;
  /** Deadlines to upsert with the step (e.g. the retry wait a `step.retrying` starts). */
  setDeadlines?: readonly Deadline[];
  /** Deadlines to drop with the step (e.g. the step timeout a `step.completed` ends). */
  clearDeadlines?: readonly DeadlineKey[];
}

/** Filters of `listExecutions`; newest first. */
export interface ListExecutionsOptions {
  status?: ExecutionStatus;
  owner?: string;
  /** 100 by default. */
  limit?: number;
}

/** Options of `claimRunnable`. */
export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  /** Most executions claimed by one call; 10 by default. */
  limit?: number;
  /** Claims this execution only (when it is runnable). */
  executionId?: string;
}

/**
 * Durable state of executions: records, the step journal, pending deadlines, leases, and the
 * shared-context entries of sessions. Implemented in memory, on SQLite and on PostgreSQL; every
 * method is async so all three fit. `init()` is idempotent and runs on first use anyway.
 * Failures are `StoreError`s (`STORE_UNAVAILABLE` is retryable).
 *
 * @example
 * const store = createStore('sqlite:./orchkit.db');
 * await store.init();
 * await store.createExecution({ executionId, workflowId, version, definition, input, correlationId, sessionId, owner, leaseExpiresAt });
 * await store.recordStep(executionId, { stepId: 'a', kind: 'step.completed', attempt: 1, output }, actor.getPersistedSnapshot(), { owner });
 * await store.finishExecution(executionId, 'completed', result, actor.getPersistedSnapshot(), { owner });
 * await store.close();
 */
export interface ExecutionStore {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  /** A PostgreSQL store's server and schema, for features that keep their tables beside it (schedules). */
  readonly postgres?: { readonly connectionString: string; readonly schema: string };
  /**
   * Creates or migrates the schema. A newer schema fails with `STORE_SCHEMA_TOO_NEW`; a 0-byte,
   * truncated or damaged file with `STORE_CORRUPT`; another application's file or schema with
   * `STORE_FOREIGN`; tables that do not match the stored version with `STORE_SCHEMA_MISMATCH`;
   * an unreachable server or a file that cannot be opened with `STORE_UNAVAILABLE`. Never replaces what is there.
   */
  init(): Promise<void>;
  /** Stores a new execution; an existing id is `STORE_CONFLICT`. */
  createExecution(record: NewExecution): Promise<ExecutionRecord>;
  /** Appends a journal entry and replaces the snapshot in one transaction: both are written, or neither. */
  recordStep(executionId: string, entry: JournalEntryInput, snapshot: unknown, options?: RecordStepOptions): Promise<JournalEntry>;
  /**
   * Appends several journal entries and replaces the snapshot (the state after the last of them)
   * in one transaction: all are written, or none. Entries whose `seq` is stored already are
   * replays, as in `recordStep`; when every entry is, nothing is written.
   */
  recordSteps(executionId: string, entries: readonly JournalEntryInput[], snapshot: unknown, options?: RecordStepOptions): Promise<JournalEntry[]>;
  /** Writes the final status, result and snapshot; clears the lease and every deadline of the execution. */
  finishExecution(executionId: string, status: FinishedStatus, result: unknown, snapshot: unknown, options?: { owner?: string }): Promise<ExecutionRecord>;
  getExecution(executionId: string): Promise<ExecutionRecord | undefined>;
  listExecutions(options?: ListExecutionsOptions): Promise<ExecutionRecord[]>;
  /** The journal of one execution, by `seq`. */
  journal(executionId: string): Promise<JournalEntry[]>;
  /** Upserts a deadline (one per execution, kind and key). */
  setDeadline(deadline: Deadline): Promise<void>;
  /** Drops a deadline; false when there was none. */
  clearDeadline(executionId: string, kind: DeadlineKind, key: string): Promise<boolean>;
  /** Pending deadlines of one execution, earliest first. */
  deadlines(executionId: string): Promise<Deadline[]>;
  /** Upserts shared-context entries (by session and context type) in one transaction; prunes expired ones. */
  saveContextEntries(entries: readonly ContextEntry[]): Promise<void>;
  /** Drops shared-context entries that were deleted or cleared, so a restore does not bring them back. */
  deleteContextEntries(keys: readonly { sessionId: string; contextType: string }[]): Promise<void>;
  /** Entries not yet expired by the store clock (of one session, or all): expired context stays expired. */
  loadContextEntries(options?: { sessionId?: string }): Promise<ContextEntry[]>;
  /**
   * Takes the lease of up to `limit` executions that are `running` with no lease or a lapsed one,
   * oldest update first. No execution is handed to two owners, even by concurrent calls on
   * several nodes.
   */
  claimRunnable(options: ClaimOptions): Promise<ExecutionRecord[]>;
  /**
   * Extends the leases `owner` still holds on `running` executions and returns their ids. A
   * missing id is a lost lease, or a pause or cancel request (`setStatus`) the owner must act on.
   */
  renewLease(owner: string, executionIds: readonly string[], leaseMs: number): Promise<string[]>;
  /** Gives up a lease; false when `owner` did not hold it. */
  releaseLease(executionId: string, owner: string): Promise<boolean>;
  /** Requests a pause (`paused`), a resume (`running`) or a cancel; a finished execution is `STORE_CONFLICT`. */
  setStatus(executionId: string, status: RequestedStatus): Promise<ExecutionRecord>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
