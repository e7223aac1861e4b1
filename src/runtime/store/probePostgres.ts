import pg from 'pg';

/** What {@link probePostgres} found. */
export type PostgresProbe = { reachable: true } | { reachable: false; reason: string };

/**
 * Tries one connection to PostgreSQL and closes it, within `timeoutMs` (1000 ms by default). For
 * start-up checks and for tests that need a server, so they can say why they are skipped.
 *
 * @example
 * const probe = await probePostgres('postgres://postgres@127.0.0.1:5432/test');
 * if (!probe.reachable) logger.warn(probe.reason);
 */
export async function probePostgres(connectionString: string, timeoutMs = 1000): Promise<PostgresProbe> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, application_name: 'orchkit_probe' });
  // A connection that fails later must not surface as an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { reachable: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
    return { reachable: false, reason: `PostgreSQL is not reachable at ${redact(connectionString)}: ${reason}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the given connection string';
  }
}
