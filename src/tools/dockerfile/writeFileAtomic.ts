import { randomBytes } from 'node:crypto';
import { link, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `content` to `file` atomically: a temporary file in the same directory, then a rename,
 * so a reader never sees half a file. With `exclusive`, the temporary file is hard-linked into
 * place instead, which fails with `EEXIST` if `file` appeared meanwhile rather than replacing it.
 *
 * @example
 * await writeFileAtomic('/repo/Dockerfile', text, { exclusive: true, signal });
 */
export async function writeFileAtomic(file: string, content: string, options: { exclusive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content, { encoding: 'utf8', flag: 'wx', mode: 0o644, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    if (options.exclusive === true) {
      await linkExclusive(temp, file);
      await rm(temp, { force: true });
    } else {
      await rename(temp, file);
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Hard-links `temp` to `file`; where links are unsupported, checks then renames (not race-free). */
async function linkExclusive(temp: string, file: string): Promise<void> {
  try {
    await link(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    const present = await stat(file).then(() => true, () => false);
    if (present) throw Object.assign(new Error(`${file} already exists`), { code: 'EEXIST' });
    await rename(temp, file);
  }
}
