// What a contender sends to PostgreSQL: every `pg` client query counted while `run` runs, by its
// first keyword. Both orchkit's store and DBOS Transact go through the one `pg` package, so
// patching `Client.prototype.query` sees them all. Used outside the timed passes only.
import pg from 'pg';

/** Round trips by first SQL keyword (`BEGIN`, `SELECT`, `INSERT`, `UPDATE`, `COMMIT`, ...), plus `total`. */
export type StatementCounts = Record<string, number>;

function keyword(config: unknown): string {
  const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return 'other';
  // A CTE's verb is the one after its last `)`: `WITH x AS (...) UPDATE ...`.
  const head = /^\s*WITH\b/i.test(text) ? text.slice(text.lastIndexOf(')') + 1) : text;
  return /^\s*([A-Za-z]+)/.exec(head)?.[1]?.toUpperCase() ?? 'other';
}

/** Runs `run` with every `pg` query counted; `per` divides the counts (e.g. by the steps run). */
export async function countStatements(run: () => Promise<void>, per: number): Promise<StatementCounts> {
  const counts: StatementCounts = { total: 0 };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]): unknown {
    const kind = keyword(args[0]);
    counts[kind] = (counts[kind] ?? 0) + 1;
    counts.total = (counts.total ?? 0) + 1;
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return Object.fromEntries(Object.entries(counts).map(([kind, n]) => [kind, +(n / per).toFixed(2)]));
}
