import { encodeJson } from './encodeJson.js';
import type { NewExecution } from './ExecutionStore.js';
import type { Row } from './fromRow.js';

/**
 * The columns of a new execution, JSON encoded (the inverse of `executionFromRow`); shared by the
 * stores that build rows in JavaScript.
 */
export function executionRow(input: NewExecution, at: number): Row {
  return {
    execution_id: input.executionId,
    workflow_id: input.workflowId,
    version: input.version,
    definition: encodeJson(input.definition, 'definition', input.executionId),
    input: encodeJson(input.input, 'input', input.executionId),
    correlation_id: input.correlationId,
    session_id: input.sessionId,
    status: input.status ?? 'running',
    snapshot: input.snapshot === undefined || input.snapshot === null ? null : encodeJson(input.snapshot, 'snapshot', input.executionId),
    created_at: at,
    owner: input.owner ?? null,
    lease_expires_at: input.leaseExpiresAt ?? null,
  };
}
