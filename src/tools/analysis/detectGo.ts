import type { LanguageDetection } from './LanguageDetection.js';
import type { RepoReader } from './RepoReader.js';
import { findHealthPath, findPort } from './findInSources.js';
import { healthCheckFor } from './healthCheckFor.js';
import type { Guess } from './RepositoryAnalysisSchema.js';

const FRAMEWORKS = [
  ['github.com/gin-gonic/gin', 'gin'],
  ['github.com/labstack/echo', 'echo'],
] as const;
const PORT_PATTERNS = [
  /[Gg]etenv\w*\(\s*"PORT"\s*,\s*"(\d{2,5})"/,
  /ListenAndServe(?:TLS)?\(\s*"[^"]*:(\d{2,5})"/,
  /\.(?:Run|Start|Listen)\(\s*"[^"]*:(\d{2,5})"/,
  /\bAddr\s*:\s*"[^"]*:(\d{2,5})"/,
  /\b(?:port|addr)\s*:?=\s*":?(\d{2,5})"/i,
];

/**
 * Recognises a Go module by `go.mod`: version from the `go` directive (or `toolchain`), framework
 * from direct requirements, the main package (`.` or `./cmd/<name>`), and the port from
 * `ListenAndServe(":8080")`, `r.Run(":8080")` or a `PORT` default.
 */
export async function detectGo(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const goMod = await repo.read('go.mod');
  if (goMod === undefined) return undefined;
  const notes: string[] = [];
  const requirements = parseRequirements(goMod);
  const direct = requirements.filter((requirement) => !requirement.indirect).map((requirement) => requirement.path);
  const framework = FRAMEWORKS.find(([module]) => direct.some((path) => path.startsWith(module)))?.[1] ?? 'none';
  const languageVersion = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod)?.[1] ?? /^toolchain\s+go(\S+)/m.exec(goMod)?.[1];

  const sources = await repo.sources(['.go'], 4);
  const mains = sources.filter((file) => /^package main\b/m.test(file.text) && /\bfunc main\(\)/.test(file.text)).map((file) => file.relative);
  const mainDir = mains.map(directoryOf).sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))[0];
  const entryPoint = mainDir === undefined ? '.' : mainDir === '' ? '.' : `./${mainDir}`;
  if (mainDir === undefined) notes.push('no `package main` with `func main()` found; building the module root');
  if (new Set(mains.map(directoryOf)).size > 1) notes.push(`several main packages; building ${entryPoint}`);
  const guesses: Guess[] = [];
  if (mainDir === undefined) guesses.push({ field: 'entryPoint', value: '.', reason: 'no `package main` with `func main()` found' });
  if (languageVersion === undefined) guesses.push({ field: 'languageVersion', value: '1.23', reason: 'go.mod has no go directive' });
  const listens = framework !== 'none' || sources.some((file) => /"net\/http"|net\.Listen\(/.test(file.text));
  const found = listens ? findPort(sources, PORT_PATTERNS) : undefined;
  let port: number | undefined = found?.port;
  if (port === undefined && listens) {
    port = 8080;
    guesses.push({ field: 'port', value: '8080', reason: 'the code serves HTTP but no port literal or PORT default was found' });
  }
  if (!listens) notes.push('the code imports no net/http and opens no listener: no port, no HTTP probe');
  const lockFile = (await repo.exists('go.sum')) ? 'go.sum' : undefined;
  if (lockFile === undefined && direct.length > 0) notes.push('go.sum is missing: the image runs `go mod tidy` before building, so module versions are resolved at build time; commit go.sum');
  const healthCheckPath = port === undefined ? undefined : findHealthPath(sources);

  return {
    language: 'go',
    languageVersion,
    framework,
    packageManager: 'go',
    lockFile,
    entryPoint,
    port,
    portSource: port === undefined ? 'none' : found === undefined ? 'framework-default' : 'code',
    healthCheckPath,
    healthCheck: healthCheckFor(port, healthCheckPath),
    buildCommand: `CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o app ${entryPoint}`,
    startCommand: './app',
    artifact: 'app',
    dependencies: { production: direct.length, development: 0, names: direct.sort() },
    notes,
    guesses,
  };
}

interface GoRequirement {
  path: string;
  indirect: boolean;
}

function parseRequirements(goMod: string): GoRequirement[] {
  const lines: string[] = [];
  for (const block of goMod.matchAll(/^require\s*\(([\s\S]*?)^\)/gm)) lines.push(...(block[1] ?? '').split('\n'));
  for (const single of goMod.matchAll(/^require\s+([^(\s].*)$/gm)) lines.push(single[1] ?? '');
  return lines
    .map((line) => /^\s*(\S+)\s+v\S+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ path: match[1] ?? '', indirect: /\/\/\s*indirect/.test(match[2] ?? '') }));
}

function directoryOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}
