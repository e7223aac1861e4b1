// What a contender sends to PostgreSQL: every `pg` client query counted while `run` runs, by its
// first keyword, and the transactions it commits. Both orchkit's store and DBOS Transact go through the one `pg` package, so
// patching `Client.prototype.query` sees them all. Used outside the timed passes only.
import pg from 'pg';

/** Round trips by first SQL keyword (`BEGIN`, `SELECT`, `INSERT`, `WITH`, `COMMIT`, ...), plus `total` and `commits`. */
export type StatementCounts = Record<string, number>;

const textOf = (config: unknown): string | undefined => {
  const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : undefined;
};

/** `commits` counts explicit `COMMIT`s and writing statements sent outside a transaction (each its own). */
export async function countStatements(run: () => Promise<void>, per: number): Promise<StatementCounts> {
  const counts: StatementCounts = { total: 0, commits: 0 };
  const inTransaction = new WeakSet<object>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]): unknown {
    const text = textOf(args[0]) ?? '';
    const kind = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'other';
    counts[kind] = (counts[kind] ?? 0) + 1;
    counts.total = (counts.total ?? 0) + 1;
    if (kind === 'BEGIN') inTransaction.add(this);
    else if (kind === 'COMMIT' || kind === 'ROLLBACK') {
      inTransaction.delete(this);
      if (kind === 'COMMIT') counts.commits = (counts.commits ?? 0) + 1;
    } else if (!inTransaction.has(this) && /\b(INSERT|UPDATE|DELETE)\b/i.test(text)) counts.commits = (counts.commits ?? 0) + 1;
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return Object.fromEntries(Object.entries(counts).map(([kind, n]) => [kind, +(n / per).toFixed(2)]));
}
