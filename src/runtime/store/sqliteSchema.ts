/**
 * SQLite schema, one script per version (`SQLITE_MIGRATIONS[0]` creates version 1). JSON is
 * stored as text; times are ms since epoch. Never edit a released script: add a version.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
  CREATE TABLE executions (
    execution_id   TEXT PRIMARY KEY,
    workflow_id    TEXT NOT NULL,
    version        TEXT NOT NULL,
    definition     TEXT NOT NULL,
    input          TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    session_id     TEXT NOT NULL,
    status         TEXT NOT NULL,
    snapshot       TEXT,
    result         TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
  );
  CREATE INDEX executions_by_status ON executions (status, created_at);
  CREATE TABLE journal (
    execution_id TEXT NOT NULL REFERENCES executions (execution_id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    step_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    output       TEXT,
    error        TEXT,
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (execution_id, seq)
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE executions ADD COLUMN owner TEXT;
  ALTER TABLE executions ADD COLUMN lease_expires_at INTEGER;
  CREATE INDEX executions_runnable ON executions (status, lease_expires_at);
  CREATE INDEX executions_by_owner ON executions (owner);
  CREATE TABLE deadlines (
    execution_id TEXT NOT NULL REFERENCES executions (execution_id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    deadline_key TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    PRIMARY KEY (execution_id, kind, deadline_key)
  ) WITHOUT ROWID;
  CREATE TABLE context_entries (
    session_id      TEXT NOT NULL,
    context_type    TEXT NOT NULL,
    data            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    created_by_tool TEXT,
    expires_at      INTEGER NOT NULL,
    metadata        TEXT NOT NULL,
    version         INTEGER NOT NULL,
    PRIMARY KEY (session_id, context_type)
  ) WITHOUT ROWID;
  CREATE INDEX context_entries_by_expiry ON context_entries (expires_at);
  `,
  `
  CREATE TABLE signals (
    execution_id TEXT NOT NULL REFERENCES executions (execution_id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (execution_id, seq)
  ) WITHOUT ROWID;
  `,
];
