import { findHealthPath, findPort } from './findInSources.js';
import { healthCheckFor } from './healthCheckFor.js';
import type { LanguageDetection } from './LanguageDetection.js';
import type { RepoReader } from './RepoReader.js';
import type { Guess } from './RepositoryAnalysisSchema.js';

const PORT_PATTERNS = [
  /ASPNETCORE_(?:HTTP_)?PORTS?["']?\s*[,:=]\s*["']?(\d{2,5})/,
  /(?:UseUrls|Urls\.Add|\.Run)\(\s*"https?:\/\/[^"]*:(\d{2,5})/,
  /Listen(?:AnyIP|Localhost)?\(\s*(?:IPAddress\.\w+\s*,\s*)?(\d{2,5})/,
];

/**
 * Recognises a .NET app by an SDK-style project file (`<Project Sdk="...">`, at the root or one
 * or two directories down): ASP.NET Core from `Microsoft.NET.Sdk.Web`, version from
 * `TargetFramework` (`net8.0` is 8.0), the assembly from `AssemblyName` or the file name, port
 * from `UseUrls`/`ListenAnyIP`/`ASPNETCORE_HTTP_PORTS` (8080, the container default, otherwise).
 * Old-style (non-SDK) projects are .NET Framework, which needs Windows images: not supported.
 */
export async function detectDotnet(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const projects = (await repo.sources(['.csproj', '.fsproj', '.vbproj'], 2)).filter((file) => /<Project\s[^>]*Sdk\s*=/.test(file.text));
  const ranked = [...projects].sort((a, b) => rank(a.text) - rank(b.text) || a.relative.split('/').length - b.relative.split('/').length);
  const project = ranked[0];
  if (project === undefined) return undefined;
  const notes: string[] = [];
  const guesses: Guess[] = [];
  if (projects.length > 1) notes.push(`several projects; building ${project.relative}`);
  const web = /Sdk\s*=\s*"Microsoft\.NET\.Sdk\.Web"/.test(project.text);
  const framework = web ? 'aspnetcore' : 'none';
  const target = /<TargetFrameworks?>\s*net(\d+\.\d+)/.exec(project.text)?.[1];
  if (target === undefined) guesses.push({ field: 'languageVersion', value: '8.0', reason: 'no TargetFramework netX.Y in the project' });
  const assembly = /<AssemblyName>\s*([^<\s]+)\s*<\/AssemblyName>/.exec(project.text)?.[1] ?? project.relative.replace(/^.*\//, '').replace(/\.\w+proj$/, '');
  const packages = [...project.text.matchAll(/<PackageReference\s+Include\s*=\s*"([^"]+)"/g)].map((match) => match[1] ?? '');
  const tests = packages.filter((name) => /xunit|nunit|MSTest|Microsoft\.NET\.Test\.Sdk/i.test(name));

  const sources = await repo.sources(['.cs', '.fs', '.json'], 3);
  const code = sources.filter((file) => !file.relative.endsWith('launchSettings.json'));
  const found = web ? findPort(code, PORT_PATTERNS) : undefined;
  let port: number | undefined = found?.port;
  if (port === undefined && web) {
    port = 8080;
    guesses.push({ field: 'port', value: '8080', reason: 'no URL or port in the code; ASP.NET Core images listen on 8080 (launchSettings.json is for development only)' });
  }
  if (!web) notes.push('not an ASP.NET Core project: no port, no HTTP probe');
  const healthCheckPath = port === undefined ? undefined : findHealthPath(code);
  const lockFile = await repo.firstExisting(['packages.lock.json']);

  return {
    language: 'dotnet',
    languageVersion: target,
    framework,
    packageManager: 'dotnet',
    lockFile,
    entryPoint: project.relative,
    port,
    portSource: port === undefined ? 'none' : found === undefined ? 'framework-default' : 'code',
    healthCheckPath,
    healthCheck: healthCheckFor(port, healthCheckPath),
    buildCommand: `dotnet publish ${project.relative} -c Release -o out`,
    startCommand: `dotnet ${assembly}.dll`,
    artifact: `${assembly}.dll`,
    dependencies: { production: packages.length - tests.length, development: tests.length, names: packages.filter((name) => !tests.includes(name)).sort() },
    notes,
    guesses,
  };
}

/** Web projects first, then executables, then libraries. */
function rank(text: string): number {
  if (/Microsoft\.NET\.Sdk\.Web/.test(text)) return 0;
  if (/<OutputType>\s*Exe\s*</.test(text) || /Microsoft\.NET\.Sdk\.Worker/.test(text)) return 1;
  if (/IsTestProject|Microsoft\.NET\.Test\.Sdk/.test(text)) return 3;
  return 2;
}
