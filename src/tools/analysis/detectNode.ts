import { z } from 'zod';
import { healthCheckFor } from './healthCheckFor.js';
import type { LanguageDetection } from './LanguageDetection.js';
import type { RepoReader } from './RepoReader.js';
import type { Guess } from './RepositoryAnalysisSchema.js';
import { findHealthPath, findPort } from './findInSources.js';
import { readVersionFile } from './readVersionFile.js';
import { resolveNodeEntry } from './resolveNodeEntry.js';

const Dependencies = z.record(z.string(), z.string()).catch({});
const PackageJsonSchema = z.object({
  main: z.string().optional().catch(undefined),
  scripts: z.record(z.string(), z.string()).catch({}).default({}),
  dependencies: Dependencies.default({}),
  devDependencies: Dependencies.default({}),
  engines: z.object({ node: z.string().optional() }).optional().catch(undefined),
  packageManager: z.string().optional().catch(undefined),
});

const FRAMEWORKS = ['next', 'fastify', 'express', 'koa', '@nestjs/core', '@modelcontextprotocol/sdk'] as const;
const FRAMEWORK_NAMES: Record<string, string> = { '@nestjs/core': 'nestjs', '@modelcontextprotocol/sdk': 'mcp' };
const LOCK_FILES = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
] as const;
const PORT_PATTERNS = [
  /process\.env\.PORT[^;\n]{0,40}?(?:\|\||\?\?)\s*['"]?(\d{2,5})/,
  /\.listen\(\s*\{[^}]*\bport\s*:\s*(\d{2,5})/,
  /\.listen\(\s*(\d{2,5})/,
  /\b(?:const|let|var)\s+port\s*=\s*(\d{2,5})\b/i,
];
/** Code that opens a listening socket. */
const LISTENS = /\.listen\(|createServer\(|StreamableHTTPServerTransport|SSEServerTransport/;

/**
 * Recognises a Node.js app by its `package.json`: framework from dependencies (an MCP server over
 * stdio has no port), package manager from the lock file or `packageManager`, version from
 * `.nvmrc`/`.node-version` (what developers run) or `engines.node`, the entry point checked to
 * exist (TypeScript compiled first), port from `listen(...)` calls and `process.env.PORT` defaults.
 */
export async function detectNode(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const text = await repo.read('package.json');
  if (text === undefined) return undefined;
  const notes: string[] = [];
  const guesses: Guess[] = [];
  let raw: unknown = {};
  try {
    raw = JSON.parse(text);
  } catch {
    notes.push('package.json is not valid JSON; dependencies and scripts were ignored');
  }
  const manifest = PackageJsonSchema.parse(typeof raw === 'object' && raw !== null ? raw : {});
  const deps = manifest.dependencies;
  const allDeps = { ...manifest.devDependencies, ...deps };
  const found = FRAMEWORKS.find((name) => name in allDeps);
  const framework = found === undefined ? 'none' : FRAMEWORK_NAMES[found] ?? found;

  let lockFile: string | undefined;
  let packageManager: 'npm' | 'yarn' | 'pnpm' = 'npm';
  for (const [file, manager] of LOCK_FILES) {
    if (await repo.exists(file)) {
      lockFile = file;
      packageManager = manager;
      break;
    }
  }
  const declared = /^(npm|yarn|pnpm)@/.exec(manifest.packageManager ?? '')?.[1];
  if (declared === 'npm' || declared === 'yarn' || declared === 'pnpm') packageManager = declared;
  if (lockFile === undefined) notes.push('no lock file: installs are not reproducible; commit one');

  const versionFile = await readVersionFile(repo, ['.nvmrc', '.node-version']);
  const languageVersion = versionFile ?? manifest.engines?.node;
  if (languageVersion === undefined) guesses.push({ field: 'languageVersion', value: '22', reason: 'no .nvmrc, .node-version or engines.node; the current LTS line is used' });

  const scripts = manifest.scripts;
  const run = packageManager === 'npm' ? 'npm run' : packageManager;
  const fromStart = /\b(?:node|nodemon)\s+(?:-{1,2}\S+\s+)*([\w./-]+\.[cm]?[jt]s)\b/.exec(scripts.start ?? '')?.[1];
  const entry = framework === 'next' ? { entryPoint: undefined, compiled: false, notes: [] as string[] } : await resolveNodeEntry(repo, fromStart ?? manifest.main);
  notes.push(...entry.notes);
  if ('guessed' in entry && entry.guessed !== undefined && entry.entryPoint !== undefined) guesses.push({ field: 'entryPoint', value: entry.entryPoint, reason: entry.guessed });
  if (framework !== 'next' && entry.entryPoint === undefined) notes.push('no entry point found; the start command falls back to the start script');
  let buildCommand = scripts.build === undefined ? undefined : `${run} build`;
  if (entry.compiled && buildCommand === undefined) {
    buildCommand = 'npx --no-install tsc -p tsconfig.json';
    if (!('typescript' in allDeps)) notes.push('the app is TypeScript but typescript is not a dependency; add it to devDependencies');
  }

  const sources = await repo.sources(['.js', '.mjs', '.cjs', '.ts'], 3);
  const listens = framework !== 'none' && framework !== 'mcp' ? true : sources.some((file) => LISTENS.test(file.text));
  const portMatch = listens ? findPort(sources, PORT_PATTERNS) : undefined;
  let port: number | undefined = portMatch?.port;
  if (port === undefined && listens) {
    port = 3000;
    guesses.push({ field: 'port', value: '3000', reason: 'no port literal or PORT default found in the code; 3000 is the Node.js convention' });
  }
  if (!listens) notes.push(framework === 'mcp' ? 'an MCP server over stdio: no port, no HTTP probe' : 'the code opens no listening socket: no port, no HTTP probe');
  const healthCheckPath = port === undefined ? undefined : findHealthPath(sources);
  const startCommand = framework === 'next' ? 'node_modules/.bin/next start' : entry.entryPoint !== undefined ? `node ${entry.entryPoint}` : `${run} start`;

  return {
    language: 'node',
    languageVersion,
    framework,
    packageManager,
    lockFile,
    entryPoint: entry.entryPoint,
    port,
    portSource: port === undefined ? 'none' : portMatch === undefined ? 'framework-default' : 'code',
    healthCheckPath,
    healthCheck: healthCheckFor(port, healthCheckPath),
    buildCommand,
    startCommand,
    artifact: undefined,
    dependencies: { production: Object.keys(deps).length, development: Object.keys(manifest.devDependencies).length, names: Object.keys(deps).sort() },
    notes,
    guesses,
  };
}
