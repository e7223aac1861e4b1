import { z } from 'zod';
import type { LanguageDetection } from './LanguageDetection.js';
import type { RepoReader } from './RepoReader.js';
import { findHealthPath, findPort } from './findInSources.js';
import { readVersionFile } from './readVersionFile.js';

const Dependencies = z.record(z.string(), z.string()).catch({});
const PackageJsonSchema = z.object({
  main: z.string().optional().catch(undefined),
  scripts: z.record(z.string(), z.string()).catch({}).default({}),
  dependencies: Dependencies.default({}),
  devDependencies: Dependencies.default({}),
  engines: z.object({ node: z.string().optional() }).optional().catch(undefined),
  packageManager: z.string().optional().catch(undefined),
});

const FRAMEWORKS = ['next', 'fastify', 'express'] as const;
const LOCK_FILES = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
] as const;
const ENTRY_CANDIDATES = ['server.js', 'index.js', 'app.js', 'main.js', 'src/server.js', 'src/index.js', 'src/app.js', 'src/main.js', 'server.mjs', 'index.mjs', 'src/index.mjs'];
const PORT_PATTERNS = [
  /process\.env\.PORT[^;\n]{0,40}?(?:\|\||\?\?)\s*['"]?(\d{2,5})/,
  /\.listen\(\s*\{[^}]*\bport\s*:\s*(\d{2,5})/,
  /\.listen\(\s*(\d{2,5})/,
  /\b(?:const|let|var)\s+port\s*=\s*(\d{2,5})\b/i,
];

/**
 * Recognises a Node.js repository by its `package.json`: framework from dependencies, package
 * manager from the lock file or `packageManager`, version from `engines.node`/`.nvmrc`, port from
 * `listen(...)` calls and `process.env.PORT` defaults.
 */
export async function detectNode(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const text = await repo.read('package.json');
  if (text === undefined) return undefined;
  const notes: string[] = [];
  let raw: unknown = {};
  try {
    raw = JSON.parse(text);
  } catch {
    notes.push('package.json is not valid JSON; dependencies and scripts were ignored');
  }
  const manifest = PackageJsonSchema.parse(typeof raw === 'object' && raw !== null ? raw : {});
  const deps = manifest.dependencies;
  const allDeps = { ...manifest.devDependencies, ...deps };
  const framework = FRAMEWORKS.find((name) => name in allDeps) ?? 'none';

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

  const languageVersion = manifest.engines?.node ?? (await readVersionFile(repo, ['.nvmrc', '.node-version']));
  const scripts = manifest.scripts;
  const fromStart = /\bnode\s+(?:-{1,2}\S+\s+)*([\w./-]+\.[cm]?js)\b/.exec(scripts.start ?? '')?.[1];
  const entryPoint = framework === 'next' ? undefined : fromStart ?? manifest.main ?? (await repo.firstExisting(ENTRY_CANDIDATES));
  if (framework !== 'next' && entryPoint === undefined) notes.push('no entry point found; the start command falls back to the start script');

  const sources = await repo.sources(['.js', '.mjs', '.cjs', '.ts'], 3);
  const found = findPort(sources, PORT_PATTERNS);
  const run = packageManager === 'npm' ? 'npm run' : packageManager;
  const startCommand = framework === 'next' ? 'node_modules/.bin/next start' : entryPoint !== undefined ? `node ${entryPoint}` : `${run} start`;

  return {
    language: 'node',
    languageVersion,
    framework,
    packageManager,
    lockFile,
    entryPoint,
    port: found?.port ?? 3000,
    portSource: found === undefined ? 'framework-default' : 'code',
    healthCheckPath: findHealthPath(sources),
    buildCommand: scripts.build === undefined ? undefined : `${run} build`,
    startCommand,
    artifact: undefined,
    dependencies: { production: Object.keys(deps).length, development: Object.keys(manifest.devDependencies).length, names: Object.keys(deps).sort() },
    notes,
  };
}

