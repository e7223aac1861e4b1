import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixDockerfile } from '../src/tools/index.js';
import { createTestToolContext } from './support/toolContext.js';

const ctx = createTestToolContext();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchkit-fix-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BROKEN = 'FROM node:latest\nWORKDIR /app\nADD . .\nENV DB_PASSWORD=hunter2-secret\nCMD ["node", "index.js"]\n';

describe('fix_dockerfile', () => {
  it('applies the fixable findings and shows them as a unified diff', async () => {
    const result = await fixDockerfile.run(fixDockerfile.input.parse({ dockerfile: BROKEN, port: 3000 }), ctx);
    expect(result.diff).toMatch(/^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n/m);
    expect(result.diff).toMatch(/^-FROM node:latest$/m);
    expect(result.diff).toMatch(/^\+FROM node:\d+\.\d+\.\d+/m);
    expect(result.diff).toMatch(/^-ADD \. \.$/m);
    expect(result.dockerfile).not.toContain('hunter2-secret');
    expect(result.dockerfile).toMatch(/^USER /m);
    expect(result.fixed.map((issue) => issue.rule)).toEqual(expect.arrayContaining(['SECRET_IN_ENV']));
    expect(result.fixed.length).toBeGreaterThanOrEqual(3);
    expect(result.changes.length).toBeGreaterThan(0);
  });

  it('changes nothing in a clean Dockerfile, and writes the file only with write: true', async () => {
    const fixed = (await fixDockerfile.run(fixDockerfile.input.parse({ dockerfile: BROKEN, port: 3000 }), ctx)).dockerfile;
    const again = await fixDockerfile.run(fixDockerfile.input.parse({ dockerfile: fixed, port: 3000 }), ctx);
    expect(again).toMatchObject({ dockerfile: fixed, diff: '', fixed: [] });
    const file = join(dir, 'Dockerfile');
    await writeFile(file, BROKEN);
    const dry = await fixDockerfile.run(fixDockerfile.input.parse({ path: dir }), ctx);
    expect(dry.written).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe(BROKEN);
    const wrote = await fixDockerfile.run(fixDockerfile.input.parse({ path: dir, write: true }), ctx);
    expect(wrote.written).toBe(file);
    expect(await readFile(file, 'utf8')).toBe(wrote.dockerfile);
  });

  it('is DOCKERFILE_NOT_FOUND for a path without one', async () => {
    await expect(fixDockerfile.run(fixDockerfile.input.parse({ path: join(dir, 'none') }), ctx)).rejects.toMatchObject({ code: 'DOCKERFILE_NOT_FOUND' });
  });
});
