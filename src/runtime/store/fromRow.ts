import type { ErrorInfo } from '../../errors/ErrorInfo.js';
import type { ContextEntry } from '../../actors/SessionContext.js';
import type { Deadline, DeadlineKind, ExecutionRecord, ExecutionStatus, JournalEntry, JournalKind } from './ExecutionStore.js';

/**
 * Turns a JSON column into its value: SQLite and the memory store hand back text (`JSON.parse`),
 * PostgreSQL hands back `jsonb` already parsed (identity). `null` is SQL NULL, i.e. absent.
 */
export type JsonColumn = (value: unknown) => unknown;

/** Rows as the SQL backends and the memory store keep them (snake_case; BIGINT may come back as text). */
export type Row = Record<string, unknown>;

const text = (value: unknown): string => value as string;
const num = (value: unknown): number => Number(value);

/**
 * Row -> record mappers shared by every backend, so they agree on absent fields.
 *
 * @example
 * const record = executionFromRow(row, JSON.parse);
 */
export function executionFromRow(row: Row, json: JsonColumn): ExecutionRecord {
  const record: ExecutionRecord = {
    executionId: text(row.execution_id),
    workflowId: text(row.workflow_id),
    version: text(row.version),
    definition: json(row.definition),
    input: json(row.input),
    correlationId: text(row.correlation_id),
    sessionId: text(row.session_id),
    status: row.status as ExecutionStatus,
    snapshot: row.snapshot == null ? null : json(row.snapshot),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
  if (row.owner != null) record.owner = text(row.owner);
  if (row.lease_expires_at != null) record.leaseExpiresAt = num(row.lease_expires_at);
  if (row.result != null) record.result = json(row.result);
  return record;
}

/** Journal row -> {@link JournalEntry}. */
export function journalFromRow(row: Row, json: JsonColumn): JournalEntry {
  const entry: JournalEntry = {
    executionId: text(row.execution_id),
    seq: num(row.seq),
    stepId: text(row.step_id),
    kind: row.kind as JournalKind,
    attempt: num(row.attempt),
    at: num(row.recorded_at),
  };
  if (row.output != null) entry.output = json(row.output);
  if (row.error != null) entry.error = json(row.error) as ErrorInfo;
  return entry;
}

/** Deadline row -> {@link Deadline}. */
export function deadlineFromRow(row: Row): Deadline {
  return { executionId: text(row.execution_id), kind: row.kind as DeadlineKind, key: text(row.deadline_key), dueAt: num(row.due_at) };
}

/** Context row -> {@link ContextEntry} (as `ContextStore.restore` takes it). */
export function contextFromRow(row: Row, json: JsonColumn): ContextEntry {
  return {
    sessionId: text(row.session_id),
    contextType: text(row.context_type),
    data: json(row.data),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    createdByTool: row.created_by_tool == null ? undefined : text(row.created_by_tool),
    expiresAt: num(row.expires_at),
    metadata: json(row.metadata) as Record<string, unknown>,
    version: num(row.version),
  };
}
