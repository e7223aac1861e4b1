/** Items per chunk of an {@link ItemTable}. */
const CHUNK = 32;

/**
 * A map step's per-item records (outputs, calls in flight) by item index, in chunks of 32: JSON
 * data in the machine's context, changed copy-on-write a chunk at a time. An event that settles
 * one item of a 10,000-item map copies one chunk and the list of chunks, not 10,000 entries, and
 * a table is never deleted from (V8 turns an object that loses keys into a slow dictionary).
 * A missing chunk or entry is `null`.
 */
export type ItemTable<T> = ((T | null)[] | null)[];

/** The entry of item `index`, `null` when it has none. */
export function readItem<T>(table: ItemTable<T>, index: number): T | null {
  return table[Math.floor(index / CHUNK)]?.[index % CHUNK] ?? null;
}

/** Every entry that is not `null`, with its item index, in index order. */
export function* itemEntries<T>(table: ItemTable<T>): Generator<[number, T]> {
  for (let c = 0; c < table.length; c++) {
    const chunk = table[c];
    if (!chunk) continue;
    for (let i = 0; i < chunk.length; i++) {
      const entry = chunk[i];
      if (entry !== null && entry !== undefined) yield [c * CHUNK + i, entry];
    }
  }
}

/** A table holding `list` (item `i` is `list[i]`). */
export function toItemTable<T>(list: readonly (T | null)[]): ItemTable<T> {
  const table: ItemTable<T> = [];
  for (let i = 0; i < list.length; i += CHUNK) table.push(list.slice(i, i + CHUNK));
  return table;
}

/** The table as one array of `length` entries (`null` where there is none). */
export function itemList<T>(table: ItemTable<T>, length: number): (T | null)[] {
  const list = new Array<T | null>(length);
  for (let i = 0; i < length; i++) list[i] = readItem(table, i);
  return list;
}

/**
 * Writes item tables in place where the caller owns them: `owned` holds the arrays this writer
 * copied (the chunk lists and chunks); any other array is copied before its first write, so a
 * table shared with an earlier snapshot is never changed.
 */
export class ItemTableWriter {
  // An event copies a chunk list or two and a few chunks: a short array beats a Set here.
  private readonly owned: unknown[][] = [];

  /** A copy of the table's chunk list that this writer owns (the chunks still shared). */
  own<T>(table: ItemTable<T>): ItemTable<T> {
    const copy = table.slice();
    this.owned.push(copy);
    return copy;
  }

  /** Sets item `index` of a table this writer owns (see {@link own}). */
  write<T>(table: ItemTable<T>, index: number, entry: T | null): void {
    const c = Math.floor(index / CHUNK);
    while (table.length <= c) table.push(null);
    let chunk = table[c];
    if (!chunk || !this.owned.includes(chunk)) {
      chunk = chunk ? chunk.slice() : [];
      this.owned.push(chunk);
      table[c] = chunk;
    }
    while (chunk.length <= index % CHUNK) chunk.push(null);
    chunk[index % CHUNK] = entry;
  }
}
