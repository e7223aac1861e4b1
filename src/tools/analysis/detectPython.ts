import type { LanguageDetection } from './LanguageDetection.js';
import type { RepoReader, SourceFile } from './RepoReader.js';
import { findFile, findHealthPath, findPort } from './findInSources.js';
import { healthCheckFor } from './healthCheckFor.js';
import type { Guess } from './RepositoryAnalysisSchema.js';
import { readVersionFile } from './readVersionFile.js';
import { tomlKeys, tomlSection, tomlString } from './tomlSection.js';

const MARKERS = ['requirements.txt', 'pyproject.toml', 'Pipfile', 'setup.py', 'setup.cfg', 'manage.py'];
const FRAMEWORKS = ['django', 'fastapi', 'flask'] as const;
/** Code that serves on a socket, short of a web framework. */
const LISTENS = /\bhttp\.server\b|socketserver|\buvicorn\.run\(|\baiohttp\b|\.run\([^)]*\bport\s*=|transport\s*=\s*['"](?:sse|streamable-http|http)['"]/;
const DEFAULT_PORTS: Record<string, number> = { flask: 5000, fastapi: 8000, django: 8000, none: 8000 };
const PORT_PATTERNS = [
  /(?:environ\.get|environ\.setdefault|getenv)\(\s*['"]PORT['"]\s*,\s*['"]?(\d{2,5})/,
  /\.run\([^)]*\bport\s*=\s*(\d{2,5})/,
  /\bPORT\s*=\s*(\d{2,5})\b/,
];

/**
 * Recognises a Python repository by `requirements.txt`, `pyproject.toml`, `Pipfile`, `setup.py`
 * or `manage.py`; framework from dependencies, package manager from `poetry.lock`/`Pipfile`,
 * version from `requires-python`/`python_requires`/`.python-version`, port from `app.run(port=...)`
 * and `PORT` defaults; the start command uses gunicorn/uvicorn when they are dependencies.
 */
export async function detectPython(repo: RepoReader): Promise<LanguageDetection | undefined> {
  if ((await repo.firstExisting(MARKERS)) === undefined) return undefined;
  const notes: string[] = [];
  const pyproject = await repo.read('pyproject.toml');
  const pipfile = await repo.read('Pipfile');
  const poetry = pyproject?.includes('[tool.poetry') === true || (await repo.exists('poetry.lock'));
  const packageManager = poetry ? 'poetry' : pipfile !== undefined ? 'pipenv' : 'pip';
  const lockFile = await repo.firstExisting(poetry ? ['poetry.lock'] : pipfile !== undefined ? ['Pipfile.lock'] : []);

  const { production, development } = await readDependencies(repo, pyproject, pipfile);
  const names = production.map(normalize);
  const framework = FRAMEWORKS.find((name) => names.includes(name)) ?? (names.includes('mcp') || names.includes('fastmcp') ? 'mcp' : 'none');

  const setup = `${(await repo.read('setup.py')) ?? ''}\n${(await repo.read('setup.cfg')) ?? ''}`;
  const runtimeTxt = /python-(\d[\w.]*)/.exec((await repo.read('runtime.txt')) ?? '')?.[1];
  const languageVersion =
    tomlString(tomlSection(pyproject ?? '', 'project'), 'requires-python') ??
    tomlString(tomlSection(pyproject ?? '', 'tool.poetry.dependencies'), 'python') ??
    /python_requires\s*=\s*['"]?([^'"\n,]+)/.exec(setup)?.[1]?.trim() ??
    (await readVersionFile(repo, ['.python-version'])) ??
    runtimeTxt;

  const sources = await repo.sources(['.py'], 3);
  const guesses: Guess[] = [];
  if (languageVersion === undefined) guesses.push({ field: 'languageVersion', value: '3.12', reason: 'no requires-python, python_requires, .python-version or runtime.txt' });
  const mcp = framework === 'mcp';
  const listens = (framework !== 'none' && !mcp) || sources.some((file) => LISTENS.test(file.text));
  const found = listens ? findPort(sources, PORT_PATTERNS) : undefined;
  let port: number | undefined = found?.port;
  if (port === undefined && listens) {
    port = DEFAULT_PORTS[framework] ?? 8000;
    guesses.push({ field: 'port', value: String(port), reason: `no port in the code; ${framework === 'none' ? 'the usual' : `${framework}'s`} default` });
  }
  if (!listens) notes.push(mcp ? 'an MCP server over stdio: no port, no HTTP probe' : 'the code opens no listening socket: no port, no HTTP probe');
  const app = findApp(sources, framework);
  const entryPoint = framework === 'django' ? 'manage.py' : app?.file ?? (await repo.firstExisting(['app.py', 'main.py', 'wsgi.py', 'server.py']));
  const has = (name: string): boolean => names.includes(name);
  let startCommand = `python ${entryPoint ?? 'main.py'}`;
  if (framework === 'django') {
    const wsgi = sources.find((file) => file.relative.endsWith('/wsgi.py'));
    const project = wsgi?.relative.slice(0, -'/wsgi.py'.length).replaceAll('/', '.');
    startCommand = has('gunicorn') && project !== undefined ? `gunicorn --bind 0.0.0.0:${port} ${project}.wsgi:application` : `python manage.py runserver 0.0.0.0:${port}`;
  } else if (framework === 'fastapi' && app !== undefined) {
    startCommand = `uvicorn ${app.module}:${app.variable} --host 0.0.0.0 --port ${port}`;
    if (!has('uvicorn')) notes.push('uvicorn is not a declared dependency; add it, the start command uses it');
  } else if (framework === 'flask' && app !== undefined && has('gunicorn')) {
    startCommand = `gunicorn --bind 0.0.0.0:${port} ${app.module}:${app.variable}`;
  } else if (framework === 'flask') {
    notes.push("flask's development server serves the app; add gunicorn for production");
  }
  if (entryPoint === undefined) guesses.push({ field: 'entryPoint', value: 'main.py', reason: 'no app object or usual entry file (app.py, main.py, wsgi.py, server.py) found' });
  else if (entryPoint !== 'manage.py' && !(await repo.exists(entryPoint))) notes.push(`the entry point ${entryPoint} does not exist`);
  // Django routes carry no leading slash: path("healthz", ...).
  const djangoHealth = framework === 'django' ? /\bpath\(\s*["']((?:health|healthz|livez|readyz|ping)\/?)["']/.exec(sources.map((file) => file.text).join('\n'))?.[1] : undefined;
  const healthCheckPath = port === undefined ? undefined : findHealthPath(sources) ?? (djangoHealth === undefined ? undefined : `/${djangoHealth}`);

  const buildCommand =
    packageManager === 'poetry' ? 'poetry install --only main --no-root'
    : packageManager === 'pipenv' ? 'pipenv install --deploy'
    : (await repo.exists('requirements.txt')) ? 'pip install -r requirements.txt' : 'pip install .';
  return {
    language: 'python',
    languageVersion,
    framework,
    packageManager,
    lockFile,
    entryPoint,
    port,
    portSource: port === undefined ? 'none' : found === undefined ? 'framework-default' : 'code',
    healthCheckPath,
    healthCheck: healthCheckFor(port, healthCheckPath),
    buildCommand,
    startCommand,
    artifact: undefined,
    dependencies: { production: production.length, development: development.length, names: production.sort() },
    notes,
    guesses,
  };
}

interface PythonApp {
  file: string;
  module: string;
  variable: string;
}

function findApp(sources: readonly SourceFile[], framework: string): PythonApp | undefined {
  const constructor = framework === 'fastapi' ? 'FastAPI' : framework === 'flask' ? 'Flask' : undefined;
  if (constructor === undefined) return undefined;
  const pattern = new RegExp(`^(\\w+)\\s*=\\s*${constructor}\\(`, 'm');
  const file = findFile(sources, pattern);
  if (file === undefined) return undefined;
  const variable = pattern.exec(file.text)?.[1] ?? 'app';
  return { file: file.relative, module: file.relative.replace(/\.py$/, '').replaceAll('/', '.'), variable };
}

async function readDependencies(repo: RepoReader, pyproject: string | undefined, pipfile: string | undefined): Promise<{ production: string[]; development: string[] }> {
  if (pipfile !== undefined) return { production: tomlKeys(tomlSection(pipfile, 'packages')), development: tomlKeys(tomlSection(pipfile, 'dev-packages')) };
  if (pyproject?.includes('[tool.poetry') === true) {
    return {
      production: tomlKeys(tomlSection(pyproject, 'tool.poetry.dependencies')).filter((name) => name !== 'python'),
      development: [...tomlKeys(tomlSection(pyproject, 'tool.poetry.group.dev.dependencies')), ...tomlKeys(tomlSection(pyproject, 'tool.poetry.dev-dependencies'))],
    };
  }
  const requirements = await repo.read('requirements.txt');
  if (requirements !== undefined) {
    const dev = (await repo.read('requirements-dev.txt')) ?? (await repo.read('dev-requirements.txt')) ?? '';
    return { production: requirementNames(requirements), development: requirementNames(dev) };
  }
  const list = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(tomlSection(pyproject ?? '', 'project') ?? '')?.[1] ?? '';
  return { production: [...list.matchAll(/["']([A-Za-z0-9_.-]+)/g)].map((match) => match[1] ?? ''), development: [] };
}

function requirementNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'))
    .map((line) => /^([A-Za-z0-9_.-]+)/.exec(line)?.[1] ?? '')
    .filter(Boolean);
}

function normalize(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}
