import type { Logger } from 'pino';
import { RuntimeError } from '../../errors/RuntimeError.js';
import type { Clock } from '../../machines/Clock.js';
import type { ExecutionStore } from './ExecutionStore.js';
import { createMemoryStore } from './MemoryStore.js';
import { lazyStore } from './lazyStore.js';
import { postgresSchemaName } from './postgresSchemaName.js';

/** Options of {@link createStore} that apply to whichever backend the URL names. */
export interface CreateStoreOptions {
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
  /** PostgreSQL `application_name`; `orchkit` by default. */
  applicationName?: string;
}

const SQLITE_FILE = /\.(db|sqlite|sqlite3)$/i;

/**
 * Opens the store a URL names, as `--store` and the `store` option take it:
 * - `memory:` — in process memory;
 * - `sqlite:<path>` (or `sqlite::memory:`), or a bare path ending in `.db`, `.sqlite` or `.sqlite3`;
 * - `postgres://...` or `postgresql://...`, with an optional `?schema=<name>` (default `orchkit`).
 *
 * Nothing is opened, and no driver (better-sqlite3, pg) is even loaded, until the first call (or
 * `init()`), so a bad file or an unreachable server shows up there as a `StoreError`. An unknown URL is a `RuntimeError` `INVALID_OPTION`.
 *
 * @example
 * const store = createStore(process.env.ORCHKIT_STORE ?? 'sqlite:.orchkit/store.db');
 * await store.init();
 */
export function createStore(url: string, options: CreateStoreOptions = {}): ExecutionStore {
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  if (url === 'memory:' || url === 'memory') return createMemoryStore(clock);
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    const settings = {
      connectionString: parsed.toString(),
      ...clock,
      schema: postgresSchemaName(schema ?? undefined),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    };
    const store = lazyStore('postgres', async () => (await import('./PostgresStore.js')).createPostgresStore(settings));
    return Object.assign(store, { postgres: { connectionString: settings.connectionString, schema: settings.schema } });
  }
  const path = url.startsWith('sqlite://') ? url.slice('sqlite://'.length) : url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : SQLITE_FILE.test(url) ? url : undefined;
  if (path !== undefined && path !== '') return lazyStore('sqlite', async () => (await import('./SqliteStore.js')).createSqliteStore({ path, ...clock }));
  throw new RuntimeError(
    'INVALID_OPTION',
    `unknown store ${JSON.stringify(url)}: use memory:, sqlite:<path> (or a path ending in .db or .sqlite), or postgres://user@host/db`,
  );
}
