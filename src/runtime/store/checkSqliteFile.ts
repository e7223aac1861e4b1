import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { StoreError } from '../../errors/StoreError.js';

const MAGIC = 'SQLite format 3\u0000';
const HEADER_BYTES = 100;
const NEW_FILE_GRACE_MS = 100;

/**
 * Looks at a SQLite store file before SQLite opens it, because SQLite would take a 0-byte file
 * as a new database and silently start an empty store over lost runs. A missing file is fine
 * (a new store); an empty one, one shorter than its header says, or one that is not SQLite at
 * all is `STORE_CORRUPT` naming the file, with what to do.
 *
 * @example
 * checkSqliteFile('/var/lib/orchkit/runs.db');
 */
export function checkSqliteFile(path: string): void {
  if (path === ':memory:' || path === '' || path.startsWith('file:') || !existsSync(path)) return;
  let stats = statSync(path);
  if (!stats.isFile()) return; // SQLite reports what it is
  // Another process that just created the file writes its header microseconds later: give it that.
  for (let wait = 0; stats.size === 0 && wait < NEW_FILE_GRACE_MS; wait += 10) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    stats = statSync(path);
  }
  if (stats.size === 0) throw StoreError.corrupt(path, new Error('the file is empty (0 bytes), so every run it held is gone'));
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (read < MAGIC.length || header.toString('latin1', 0, MAGIC.length) !== MAGIC) throw StoreError.corrupt(path, new Error('the file is not a SQLite database'));
  if (read < HEADER_BYTES) throw StoreError.corrupt(path, new Error(`the file is truncated (${read} bytes, shorter than the SQLite header)`));
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw StoreError.corrupt(path, new Error(`the header names an invalid page size (${rawPageSize})`));
  if (stats.size % pageSize !== 0) throw StoreError.corrupt(path, new Error(`the file is truncated (${stats.size} bytes, not a whole number of ${pageSize}-byte pages)`));
  // The page count in the header is valid when its change counter matches "version-valid-for".
  const pages = header.readUInt32BE(28);
  if (pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92) && stats.size < pages * pageSize) {
    throw StoreError.corrupt(path, new Error(`the file is truncated (${stats.size} bytes, its header says ${pages} pages of ${pageSize} bytes)`));
  }
}
