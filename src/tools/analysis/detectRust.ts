import { findHealthPath, findPort } from './findInSources.js';
import { healthCheckFor } from './healthCheckFor.js';
import type { LanguageDetection } from './LanguageDetection.js';
import type { RepoReader } from './RepoReader.js';
import type { Guess } from './RepositoryAnalysisSchema.js';
import { tomlKeys, tomlSection, tomlString } from './tomlSection.js';

const FRAMEWORKS = ['axum', 'actix-web', 'rocket', 'warp', 'poem', 'tide'] as const;
const DEFAULT_PORTS: Record<string, number> = { rocket: 8000 };
const PORT_PATTERNS = [
  /env::var\(\s*"PORT"\s*\)[^;]{0,80}?unwrap_or(?:_else)?\([^)]*?"?(\d{2,5})/,
  /"(?:0\.0\.0\.0|127\.0\.0\.1|\[::\]|localhost)?:(\d{2,5})"/,
  /\(\s*"(?:0\.0\.0\.0|127\.0\.0\.1|::)"\s*,\s*(\d{2,5})\s*\)/,
  /\[\s*0\s*,\s*0\s*,\s*0\s*,\s*0\s*\]\s*,\s*(\d{2,5})/,
  /\bport\s*[:=]\s*(\d{2,5})/,
];

/**
 * Recognises a Rust crate by a `Cargo.toml` with a `[package]`: the binary from `[[bin]]` or the
 * package name, the web framework from `[dependencies]`, version from `rust-version`, port from
 * `"0.0.0.0:3000"`-style literals or a `PORT` default. A `[workspace]` without a package is a
 * monorepo, analysed per member by `analyze_repository`.
 */
export async function detectRust(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const cargo = await repo.read('Cargo.toml');
  const pkg = cargo === undefined ? undefined : tomlSection(cargo, 'package');
  if (cargo === undefined || pkg === undefined) return undefined;
  const notes: string[] = [];
  const guesses: Guess[] = [];
  const name = tomlString(pkg, 'name') ?? 'app';
  const bin = tomlString(tomlSection(cargo, '[bin]'), 'name') ?? name;
  // `axum.workspace = true` inherits the dependency from the workspace root.
  const crate = (key: string): string => key.replace(/\.workspace$/, '');
  const deps = tomlKeys(tomlSection(cargo, 'dependencies')).map(crate);
  const devDeps = tomlKeys(tomlSection(cargo, 'dev-dependencies')).map(crate);
  const framework = FRAMEWORKS.find((candidate) => deps.includes(candidate)) ?? 'none';
  const languageVersion = tomlString(pkg, 'rust-version');
  if (languageVersion === undefined) guesses.push({ field: 'languageVersion', value: '1.83', reason: 'Cargo.toml sets no rust-version' });
  const lockFile = (await repo.exists('Cargo.lock')) ? 'Cargo.lock' : undefined;
  if (lockFile === undefined) notes.push('Cargo.lock is missing: the build resolves crate versions afresh; commit it for an application');
  if (!(await repo.exists('src/main.rs')) && !/\[\[bin\]\]/.test(cargo)) notes.push('no src/main.rs or [[bin]]: this crate may be a library');

  const sources = await repo.sources(['.rs'], 4);
  const listens = framework !== 'none' || sources.some((file) => /TcpListener|hyper::Server|tiny_http/.test(file.text));
  const found = listens ? findPort(sources, PORT_PATTERNS) : undefined;
  let port: number | undefined = found?.port;
  if (port === undefined && listens) {
    port = DEFAULT_PORTS[framework] ?? 8080;
    guesses.push({ field: 'port', value: String(port), reason: 'no address literal or PORT default found in the code' });
  }
  if (!listens) notes.push('the code opens no listener: no port, no HTTP probe');
  const healthCheckPath = port === undefined ? undefined : findHealthPath(sources);

  return {
    language: 'rust',
    languageVersion,
    framework,
    packageManager: 'cargo',
    lockFile,
    entryPoint: bin,
    port,
    portSource: port === undefined ? 'none' : found === undefined ? 'framework-default' : 'code',
    healthCheckPath,
    healthCheck: healthCheckFor(port, healthCheckPath),
    buildCommand: `cargo build --release${lockFile === undefined ? '' : ' --locked'}`,
    startCommand: `./target/release/${bin}`,
    artifact: `target/release/${bin}`,
    dependencies: { production: deps.length, development: devDeps.length, names: deps.sort() },
    notes,
    guesses,
  };
}
