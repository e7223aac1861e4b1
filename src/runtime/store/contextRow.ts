import type { ContextEntry } from '../../actors/SessionContext.js';
import { encodeJson } from './encodeJson.js';
import type { Row } from './fromRow.js';

/** The column order of `context_entries`, for stores that bind positional parameters. */
export const CONTEXT_COLUMNS = ['session_id', 'context_type', 'data', 'created_at', 'updated_at', 'created_by_tool', 'expires_at', 'metadata', 'version'] as const;

/**
 * The columns of a shared-context entry, JSON encoded (the inverse of `contextFromRow`); shared by
 * every store, so they encode and refuse the same values.
 *
 * @example
 * statement.run(contextRow(entry));
 */
export function contextRow(e: ContextEntry): Row {
  return {
    session_id: e.sessionId,
    context_type: e.contextType,
    data: encodeJson(e.data, `context ${e.contextType}`),
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    created_by_tool: e.createdByTool ?? null,
    expires_at: e.expiresAt,
    metadata: encodeJson(e.metadata, `metadata of context ${e.contextType}`),
    version: e.version,
  };
}
