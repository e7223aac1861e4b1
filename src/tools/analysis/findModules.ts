import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RepoReader } from './RepoReader.js';
import { tomlSection } from './tomlSection.js';
import { SKIPPED_DIRECTORIES } from './walkFiles.js';

/** Files that make a directory an app or a library. */
const MARKERS = ['package.json', 'pom.xml', 'build.gradle', 'build.gradle.kts', 'build.xml', 'go.mod', 'Cargo.toml', 'requirements.txt', 'pyproject.toml'];
const PROJECT_FILE = /\.(?:cs|fs|vb)proj$/;

/** The module directories of a monorepo and how the repository declares them. */
export interface Modules {
  /** Relative directories, sorted. */
  modules: string[];
  /** `npm workspaces`, `pnpm workspace`, `cargo workspace`, `maven modules`, `go.work`, or `directories` when only found by looking. */
  declaredBy: string | undefined;
}

/**
 * Finds the modules of a monorepo: the workspaces its root declares (npm/yarn `workspaces`,
 * `pnpm-workspace.yaml`, Cargo `[workspace] members`, Maven `<modules>`, `go.work`), with `dir/*`
 * patterns expanded; or, when `lookAround` (the root itself is no app), the directories up to two
 * levels down that hold a build file.
 *
 * @example
 * await findModules(repo, false); // { modules: ['apps/api', 'apps/worker'], declaredBy: 'npm workspaces' }
 */
export async function findModules(repo: RepoReader, lookAround: boolean): Promise<Modules> {
  const declared = await declaredModules(repo);
  if (declared !== undefined) {
    const expanded = (await Promise.all(declared.patterns.map((pattern) => expand(repo.root, pattern)))).flat();
    const modules = [];
    for (const module of [...new Set(expanded)].sort()) if (await hasMarker(repo.root, module)) modules.push(module);
    return { modules, declaredBy: declared.by };
  }
  if (!lookAround) return { modules: [], declaredBy: undefined };
  const found: string[] = [];
  for (const first of await subdirectories(repo.root, '')) {
    if (await hasMarker(repo.root, first)) found.push(first);
    else for (const second of await subdirectories(repo.root, first)) if (await hasMarker(repo.root, second)) found.push(second);
  }
  return { modules: found.sort(), declaredBy: found.length > 0 ? 'directories' : undefined };
}

async function declaredModules(repo: RepoReader): Promise<{ patterns: string[]; by: string } | undefined> {
  const pkg = await repo.read('package.json');
  if (pkg !== undefined) {
    try {
      const parsed = JSON.parse(pkg) as { workspaces?: unknown };
      const list = Array.isArray(parsed.workspaces) ? parsed.workspaces : (parsed.workspaces as { packages?: unknown } | undefined)?.packages;
      if (Array.isArray(list) && list.length > 0) return { patterns: list.filter((item): item is string => typeof item === 'string'), by: 'npm workspaces' };
    } catch {
      // Not JSON: the Node detector reports it.
    }
  }
  const pnpm = await repo.read('pnpm-workspace.yaml');
  if (pnpm !== undefined) {
    const packages = (parseYaml(pnpm) as { packages?: unknown } | null)?.packages;
    if (Array.isArray(packages)) return { patterns: packages.filter((item): item is string => typeof item === 'string' && !item.startsWith('!')), by: 'pnpm workspace' };
  }
  const cargo = await repo.read('Cargo.toml');
  const workspace = cargo === undefined ? undefined : tomlSection(cargo, 'workspace');
  if (workspace !== undefined) {
    const members = /members\s*=\s*\[([\s\S]*?)\]/.exec(workspace)?.[1] ?? '';
    return { patterns: [...members.matchAll(/["']([^"']+)["']/g)].map((match) => match[1] ?? ''), by: 'cargo workspace' };
  }
  const pom = await repo.read('pom.xml');
  const modules = pom === undefined ? [] : [...(/<modules>([\s\S]*?)<\/modules>/.exec(pom)?.[1] ?? '').matchAll(/<module>\s*([^<]+?)\s*<\/module>/g)].map((match) => match[1] ?? '');
  if (modules.length > 0) return { patterns: modules, by: 'maven modules' };
  const goWork = await repo.read('go.work');
  if (goWork !== undefined) {
    const uses = [...goWork.matchAll(/^\s*(?:use\s+)?(\.\/[\w./-]+|\.)\s*$/gm)].map((match) => match[1] ?? '').filter((use) => use !== '.');
    return { patterns: uses, by: 'go.work' };
  }
  return undefined;
}

/** `apps/*` lists the directories of `apps`; anything else is taken as one directory. */
async function expand(root: string, pattern: string): Promise<string[]> {
  const clean = pattern.replace(/^\.\//, '').replace(/\/$/, '');
  if (clean.endsWith('/*') || clean.endsWith('/**')) return subdirectories(root, clean.replace(/\/\*+$/, ''));
  return clean.includes('*') ? [] : [clean];
}

async function subdirectories(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.'))
    .map((entry) => (dir === '' ? entry.name : `${dir}/${entry.name}`))
    .sort();
}

async function hasMarker(root: string, dir: string): Promise<boolean> {
  const names = await readdir(path.join(root, dir)).catch(() => [] as string[]);
  return names.some((name) => MARKERS.includes(name) || PROJECT_FILE.test(name));
}
