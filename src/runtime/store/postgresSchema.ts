/**
 * PostgreSQL schema, one script per version (`[0]` creates version 1), for the schema named `s`
 * (already quoted). JSON columns are `json`, not `jsonb`: they keep the text as written (key
 * order, `\u0000` in strings, which `jsonb` refuses) and cost less to insert; nothing queries
 * inside them. Times are BIGINT ms since epoch. Never edit a released script: add a version.
 *
 * @example
 * const scripts = postgresMigrations('"orchkit"');
 */
export function postgresMigrations(s: string): readonly string[] {
  return [
    `
    CREATE TABLE IF NOT EXISTS ${s}.schema_version (version INTEGER NOT NULL);
    CREATE TABLE ${s}.executions (
      execution_id   TEXT PRIMARY KEY,
      workflow_id    TEXT NOT NULL,
      version        TEXT NOT NULL,
      definition     JSON NOT NULL,
      input          JSON NOT NULL,
      correlation_id TEXT NOT NULL,
      session_id     TEXT NOT NULL,
      status         TEXT NOT NULL,
      snapshot       JSON,
      result         JSON,
      created_at     BIGINT NOT NULL,
      updated_at     BIGINT NOT NULL
    );
    CREATE INDEX executions_by_status ON ${s}.executions (status, created_at);
    CREATE TABLE ${s}.journal (
      execution_id TEXT NOT NULL REFERENCES ${s}.executions (execution_id) ON DELETE CASCADE,
      seq          INTEGER NOT NULL,
      step_id      TEXT NOT NULL,
      kind         TEXT NOT NULL,
      attempt      INTEGER NOT NULL,
      output       JSON,
      error        JSON,
      recorded_at  BIGINT NOT NULL,
      PRIMARY KEY (execution_id, seq)
    );
    `,
    `
    ALTER TABLE ${s}.executions ADD COLUMN owner TEXT, ADD COLUMN lease_expires_at BIGINT;
    CREATE INDEX executions_runnable ON ${s}.executions (status, lease_expires_at);
    CREATE INDEX executions_by_owner ON ${s}.executions (owner);
    CREATE TABLE ${s}.deadlines (
      execution_id TEXT NOT NULL REFERENCES ${s}.executions (execution_id) ON DELETE CASCADE,
      kind         TEXT NOT NULL,
      deadline_key TEXT NOT NULL,
      due_at       BIGINT NOT NULL,
      PRIMARY KEY (execution_id, kind, deadline_key)
    );
    CREATE TABLE ${s}.context_entries (
      session_id      TEXT NOT NULL,
      context_type    TEXT NOT NULL,
      data            JSON NOT NULL,
      created_at      BIGINT NOT NULL,
      updated_at      BIGINT NOT NULL,
      created_by_tool TEXT,
      expires_at      BIGINT NOT NULL,
      metadata        JSON NOT NULL,
      version         INTEGER NOT NULL,
      PRIMARY KEY (session_id, context_type)
    );
    CREATE INDEX context_entries_by_expiry ON ${s}.context_entries (expires_at);
    `,
    `
    CREATE TABLE ${s}.signals (
      execution_id TEXT NOT NULL REFERENCES ${s}.executions (execution_id) ON DELETE CASCADE,
      seq          INTEGER NOT NULL,
      name         TEXT NOT NULL,
      payload      JSON NOT NULL,
      created_at   BIGINT NOT NULL,
      PRIMARY KEY (execution_id, seq)
    );
    `,
  ];
}
