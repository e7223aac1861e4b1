// Every `npx orchkit ...` command the README shows runs as written, from a fresh directory
// holding only the user's repository (`./my-app`: a copy of the example Node app).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The `npx orchkit` lines of the README's shell blocks, comments and `[optional]` parts left out. */
function readmeCommands(): string[][] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/#.*$/, '').replace(/\[[^\]]*\]/g, '').trim())
    .filter((line) => line.startsWith('npx orchkit '))
    .map((line) => line.split(/\s+/).slice(2));
}

describe('README commands', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orchkit-readme-'));
  cpSync(path.join(root, 'examples/apps/node-express'), path.join(dir, 'my-app'), { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const commands = readmeCommands();
  it('finds the commands to run', () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
  });

  it.each(commands.map((args) => [args.join(' '), args] as const))('orchkit %s', async (_line, args) => {
    const { code, stdout, stderr } = await runCli([...args], { cwd: dir, timeoutMs: 120_000 });
    expect({ code, stderr: code === 0 ? '' : stderr, stdout: code === 0 ? '' : stdout }).toEqual({ code: 0, stderr: '', stdout: '' });
  }, 150_000);
});
