import { parse as parseYaml } from 'yaml';
import type { LanguageDetection } from './LanguageDetection.js';
import type { RepoReader } from './RepoReader.js';
import { findFile, findHealthPath } from './findInSources.js';
import { readGradleBuild } from './readGradleBuild.js';
import { readMavenPom } from './readMavenPom.js';

const PROPERTIES_PORT = /^\s*server\.port\s*[=:]\s*(?:\$\{\w+:)?(\d{2,5})/m;

/**
 * Recognises a Java repository by `pom.xml` (Maven) or `build.gradle(.kts)` (Gradle): Spring Boot
 * from the parent/plugin, version from `java.version`/`maven.compiler.release`/toolchains, port
 * from `server.port` in `application.properties`/`.yml` (8080 otherwise), main class from
 * `@SpringBootApplication` or `public static void main`.
 */
export async function detectJava(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const pom = await repo.read('pom.xml');
  const gradleFile = pom === undefined ? await repo.firstExisting(['build.gradle.kts', 'build.gradle']) : undefined;
  const gradle = gradleFile === undefined ? undefined : await repo.read(gradleFile);
  if (pom === undefined && gradle === undefined) return undefined;
  const notes: string[] = [];
  const build = pom !== undefined ? readMavenPom(pom) : readGradleBuild(gradle ?? '');
  const springBoot = /spring-boot|org\.springframework\.boot/.test(pom ?? gradle ?? '');

  const config = await readServerPort(repo);
  const sources = await repo.sources(['.java', '.kt'], 12);
  const main = findFile(sources, /@SpringBootApplication/) ?? findFile(sources, /public\s+static\s+void\s+main\s*\(/);
  const mainClass = main === undefined ? undefined : qualifiedClassName(main.text, main.relative);
  if (mainClass === undefined) notes.push('no main class found');
  const actuator = build.names.some((name) => name.endsWith(':spring-boot-starter-actuator'));

  const maven = pom !== undefined;
  const wrapper = await repo.exists(maven ? 'mvnw' : 'gradlew');
  const tool = wrapper ? (maven ? './mvnw' : './gradlew') : maven ? 'mvn' : 'gradle';
  const buildCommand = maven ? `${tool} -B package -DskipTests` : `${tool} ${springBoot ? 'bootJar' : 'build -x test'} --no-daemon`;
  const artifact = build.artifact;
  if (artifact === undefined) notes.push('the jar name is only known after the build; the Dockerfile copies the single runnable jar it finds');

  return {
    language: 'java',
    languageVersion: build.javaVersion,
    framework: springBoot ? 'spring-boot' : 'none',
    packageManager: maven ? 'maven' : 'gradle',
    lockFile: maven ? undefined : await repo.firstExisting(['gradle.lockfile']),
    entryPoint: mainClass,
    port: config ?? 8080,
    portSource: config === undefined ? 'framework-default' : 'config',
    healthCheckPath: actuator ? '/actuator/health' : findHealthPath(sources),
    buildCommand,
    startCommand: `java -jar ${artifact ?? 'app.jar'}`,
    artifact,
    dependencies: { production: build.names.length, development: build.testCount, names: build.names.sort() },
    notes,
  };
}

async function readServerPort(repo: RepoReader): Promise<number | undefined> {
  const properties = await repo.read('src/main/resources/application.properties');
  const fromProperties = Number(PROPERTIES_PORT.exec(properties ?? '')?.[1]);
  if (fromProperties > 0) return fromProperties;
  for (const file of ['src/main/resources/application.yml', 'src/main/resources/application.yaml']) {
    const text = await repo.read(file);
    if (text === undefined) continue;
    try {
      const config: unknown = parseYaml(text);
      const server: unknown = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).server : undefined;
      const port: unknown = typeof server === 'object' && server !== null ? (server as Record<string, unknown>).port : undefined;
      const value = Number(/(\d{2,5})\}?$/.exec(String(port))?.[1]);
      if (value > 0) return value;
    } catch {
      // A malformed YAML file declares no port; the default applies.
    }
  }
  return undefined;
}

function qualifiedClassName(text: string, file: string): string | undefined {
  const className = /\bclass\s+(\w+)/.exec(text)?.[1] ?? /([^/]+)\.(?:java|kt)$/.exec(file)?.[1];
  if (className === undefined) return undefined;
  const packageName = /^\s*package\s+([\w.]+)/m.exec(text)?.[1];
  return packageName === undefined ? className : `${packageName}.${className}`;
}
