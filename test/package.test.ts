// The package as a user gets it: `npm pack` (prepack builds dist/), the tarball installed into a
// fresh ESM app that has no fast-check (the optional peer), the CLI run and every sub-entry
// imported there. The core entry is checked to load no MCP, HTTP, WebSocket, SQLite or
// PostgreSQL module, from what Node's module loader actually resolved.
//
// Offline: the registry is not asked. The app's direct dependencies are symlinks into this
// checkout's node_modules (their own dependencies resolve from there), so
// `npm install <tarball> --offline --no-save` only has to unpack orchkit itself.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const PACKAGE_TIMEOUT_MS = 300_000;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((done) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Whether `fast-check` would resolve from `dir` through some node_modules above it. */
function fastCheckReachable(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules', 'fast-check'))) return true;
    if (at === parse(at).root) return false;
  }
}

// What each entry must export; a sample per entry, not the whole list.
const ENTRIES: Record<string, string[]> = {
  orchkit: ['createRuntime', 'defineTool', 'compileWorkflow', 'createStore', 'ToolError'],
  'orchkit/mcp': ['createMcpServer', 'startMcpHttpServer'],
  'orchkit/inspect': ['startStatelyInspector', 'createLocalInspector'],
  'orchkit/tools': ['analysisTools', 'deploymentTools', 'analyzeRepository'],
  'orchkit/conversation': ['chat', 'conversationMachine'],
  'orchkit/testing': ['exploreWorkflow', 'checkWorkflow', 'arbitraryWorkflow'],
};

// Packages and built-in modules the core entry must not load at import time.
const HEAVY = ['@modelcontextprotocol/sdk', 'ws', 'better-sqlite3', 'pg', '@statelyai/inspect', 'fast-check'];
// Not `net`: pino touches process.stdout when imported, and a piped stdout is a net socket.
const HEAVY_BUILTINS = ['http', 'https', 'http2', 'child_process'];

// Records every module the loader resolves (ESM, in the hooks thread) on stderr, and after the
// import prints the CommonJS modules in require.cache and the built-ins Node loaded.
const RECORDER = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('RESOLVED ' + result.url + '\\n');
  return result;
}
`;
// The recorder is optional: module.register() itself loads `net` (for its hooks thread), so the
// built-ins are read from a run without it.
const probe = (entry: string, after: string, record: boolean): string => `
import { register, createRequire } from 'node:module';
${record ? "register('./recorder.mjs', import.meta.url);" : ''}
const loaded = await import(${JSON.stringify(entry)});
${after}
console.log(JSON.stringify({
  exports: Object.keys(loaded),
  cjs: Object.keys(createRequire(import.meta.url).cache),
  builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)),
}));
`;

interface Loaded {
  exports: string[];
  files: string[];
  builtins: string[];
}

describe('the packed package in a fresh ESM app, without optional peers', () => {
  let scratch: string;
  let app: string;
  let tarball: string;

  beforeAll(async () => {
    // A temp dir with no node_modules above it that holds fast-check (some machines link one into /tmp).
    const base = [tmpdir(), '/var/tmp', homedir()].find((dir) => existsSync(dir) && !fastCheckReachable(dir));
    if (base === undefined) throw new Error('no temp dir without a fast-check in a node_modules above it');
    scratch = await mkdtemp(join(base, 'orchkit-package-'));
    const packed = await run('npm', ['pack', '--pack-destination', scratch, '--json'], root);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string }[];
    tarball = join(scratch, info?.filename ?? '');

    app = join(scratch, 'app');
    await mkdir(join(app, 'node_modules'), { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', version: '1.0.0', type: 'module', private: true }));
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) {
      await mkdir(dirname(join(app, 'node_modules', name)), { recursive: true });
      await symlink(join(root, 'node_modules', name), join(app, 'node_modules', name), 'dir');
    }
    const installed = await run('npm', ['install', tarball, '--offline', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund'], app);
    expect(installed.code, installed.stderr).toBe(0);
    await writeFile(join(app, 'recorder.mjs'), RECORDER);
  }, PACKAGE_TIMEOUT_MS);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const load = async (entry: string, after = '', record = true): Promise<Loaded> => {
    await writeFile(join(app, 'probe.mjs'), probe(entry, after, record));
    const ran = await run(process.execPath, ['probe.mjs'], app);
    expect(ran.code, ran.stderr).toBe(0);
    const report = JSON.parse(ran.stdout.trim().split('\n').at(-1) ?? '{}') as { exports: string[]; cjs: string[]; builtins: string[] };
    const esm = ran.stderr
      .split('\n')
      .filter((line) => line.startsWith('RESOLVED '))
      .map((line) => line.slice('RESOLVED '.length));
    return { exports: report.exports, files: [...esm, ...report.cjs], builtins: report.builtins };
  };
  const packagesIn = (files: readonly string[]): Set<string> =>
    new Set(files.map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]).filter((name): name is string => name !== undefined));

  it('has no fast-check to find: the precondition of every check below', async () => {
    await writeFile(join(app, 'peer.mjs'), "await import('fast-check').then(() => console.log('found'), (e) => console.log(e.code));");
    expect((await run(process.execPath, ['peer.mjs'], app)).stdout.trim()).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('runs the installed orchkit command', async () => {
    const help = await run(join(app, 'node_modules', '.bin', 'orchkit'), ['--help'], app);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: orchkit');
    expect(help.stdout).toMatch(/\btest \[options\]/);
  });

  it.each(Object.entries(ENTRIES))('imports %s', async (entry, names) => {
    const { exports } = await load(entry);
    expect(exports).toEqual(expect.arrayContaining(names));
  });

  it('loads no MCP SDK, ws, HTTP server, better-sqlite3, pg or fast-check with the core entry', async () => {
    const { files } = await load('orchkit');
    const { builtins } = await load('orchkit', '', false);
    const packages = packagesIn(files);
    expect(packages.has('xstate'), 'the recorder sees the packages the entry does load').toBe(true);
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
    expect(files.filter((file) => HEAVY_BUILTINS.some((name) => file === `node:${name}`))).toEqual([]);
    expect(builtins.filter((name) => HEAVY_BUILTINS.includes(name))).toEqual([]);
    // Only orchkit's core folders: no feature module sneaks in through the core.
    const features = files.filter((file) => /node_modules\/orchkit\/dist\/(mcp|inspect|tools|conversation|testing|visualize|cli)\//.test(file));
    expect(features).toEqual([]);
  });

  it('the same probe sees what a sub-entry loads, so the check above can fail', async () => {
    expect(packagesIn((await load('orchkit/mcp')).files).has('@modelcontextprotocol/sdk')).toBe(true);
    expect(packagesIn((await load('orchkit/inspect')).files).has('ws')).toBe(true);
    expect((await load('orchkit/inspect', '', false)).builtins).toContain('http');
  });

  it('loads the SQLite driver when the store is first used, not before', async () => {
    const after = `
const store = loaded.createStore('sqlite:' + ${JSON.stringify(join('.orchkit', 'probe.db'))});
const before = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/better-sqlite3/'));
await store.init();
await store.close();
if (before) throw new Error('better-sqlite3 was loaded before the first call');`;
    expect(packagesIn((await load('orchkit', after)).files).has('better-sqlite3')).toBe(true);
  });

  it('says which peer a property helper needs, and explores without it', async () => {
    const after = `
let code;
try { loaded.arbitraryWorkflow({ tools: [] }); } catch (error) { code = error.code; }
if (code !== 'PEER_DEPENDENCY_MISSING') throw new Error('arbitraryWorkflow: expected PEER_DEPENDENCY_MISSING, got ' + code);
if (typeof loaded.exploreWorkflow !== 'function') throw new Error('exploreWorkflow missing');`;
    await load('orchkit/testing', after);
  });

  it('ships dist/ with every sub-entry, no source maps, and no key a secret scanner flags', async () => {
    const listed = await run('tar', ['-xzf', tarball, '-C', scratch], scratch);
    expect(listed.code, listed.stderr).toBe(0);
    const files = (await run('find', ['package', '-type', 'f'], scratch)).stdout.trim().split('\n');
    for (const entry of ['index', 'mcp/index', 'inspect/index', 'tools/index', 'conversation/index', 'testing/index']) {
      expect(files).toContain(`package/dist/${entry}.js`);
      expect(files).toContain(`package/dist/${entry}.d.ts`);
    }
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => file.startsWith('package/src/'))).toEqual([]);
    // The AWS access-key pattern of common scanners (base-32 body): the example app's fake key has zeros.
    const flagged = await run('grep', ['-rlE', '(AKIA|ASIA)[A-Z2-7]{16}', 'package'], scratch);
    expect(flagged.stdout).toBe('');
  });
});
