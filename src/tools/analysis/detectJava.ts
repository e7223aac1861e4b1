import { parse as parseYaml } from 'yaml';
import { findFile, findHealthPath } from './findInSources.js';
import { healthCheckFor } from './healthCheckFor.js';
import type { JavaBuild } from './JavaBuild.js';
import type { LanguageDetection } from './LanguageDetection.js';
import { readAntBuild } from './readAntBuild.js';
import { readGradleBuild } from './readGradleBuild.js';
import { readMavenPom } from './readMavenPom.js';
import type { RepoReader, SourceFile } from './RepoReader.js';
import type { Guess } from './RepositoryAnalysisSchema.js';

const PROPERTIES_PORT = /^\s*server\.port\s*[=:]\s*(?:\$\{\w+:)?(\d{2,5})/m;
/** Dependencies and code that make a jar serve HTTP. */
const WEB_DEPENDENCY = /spring-boot-starter-(?:web|webflux|jersey)|spring-webmvc|servlet|jetty|undertow|javalin|spark-core|vertx-web|micronaut-http-server|quarkus-rest|helidon/;
const WEB_CODE = /HttpServer\.create\(|new ServerSocket\(/;
/** Descriptors and dependencies that need a full Java EE / Jakarta EE server rather than a servlet container. */
const NEEDS_EE_SERVER = /(?:^|\/)(?:WEB-INF\/jboss-web\.xml|META-INF\/jboss-deployment-structure\.xml|WEB-INF\/jboss-deployment-structure\.xml|META-INF\/ejb-jar\.xml|META-INF\/application\.xml)$/;

/**
 * Recognises a Java app by `pom.xml` (Maven), `build.gradle(.kts)` (Gradle) or `build.xml` (Ant):
 * Spring Boot from the parent/plugin, Spring MVC from `spring-webmvc` without Boot, EJB from its
 * imports or descriptors; version from `java.version`/`maven.compiler.*`/toolchains/`<javac>`
 * (`1.8` is Java 8); a `war`/`ear` that is not Spring Boot is deployed on Tomcat, or on WildFly
 * when it uses EJB or its descriptors name JBoss/WildFly; port from `server.port` (8080 otherwise).
 */
export async function detectJava(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const pom = await repo.read('pom.xml');
  const gradleFile = pom === undefined ? await repo.firstExisting(['build.gradle.kts', 'build.gradle']) : undefined;
  const gradle = gradleFile === undefined ? undefined : await repo.read(gradleFile);
  const ant = pom === undefined && gradle === undefined ? await repo.read('build.xml') : undefined;
  if (pom === undefined && gradle === undefined && ant === undefined) return undefined;
  const notes: string[] = [];
  const guesses: Guess[] = [];
  const tool = pom !== undefined ? 'maven' : gradle !== undefined ? 'gradle' : 'ant';
  const build: JavaBuild = pom !== undefined ? readMavenPom(pom) : gradle !== undefined ? readGradleBuild(gradle) : readAntBuild(ant ?? '');
  const buildText = pom ?? gradle ?? ant ?? '';
  const springBoot = /spring-boot|org\.springframework\.boot/.test(buildText);

  const sources = await repo.sources(['.java', '.kt'], 12);
  const descriptors = (await repo.sources(['.xml'], 8)).map((file) => file.relative);
  const imports = (pattern: RegExp): boolean => sources.some((file) => pattern.test(file.text));
  const ejb = imports(/^import\s+(?:javax|jakarta)\.ejb\./m) || descriptors.some((file) => file.endsWith('META-INF/ejb-jar.xml')) || build.names.some((name) => /ejb/.test(name));
  const springMvc = !springBoot && (build.names.some((name) => name.endsWith(':spring-webmvc')) || imports(/@EnableWebMvc|org\.springframework\.web\.servlet\./));
  const archive = build.packaging === 'war' || build.packaging === 'ear' || (tool === 'ant' && (build.artifact?.endsWith('.war') === true || build.artifact?.endsWith('.ear') === true));
  const framework = springBoot ? 'spring-boot' : springMvc ? 'spring-mvc' : ejb ? 'ejb' : archive ? 'servlet' : 'none';

  let server: 'tomcat' | 'wildfly' | undefined;
  if (!springBoot && (archive || ejb)) {
    const named = descriptors.find((file) => NEEDS_EE_SERVER.test(file));
    const wildflyNamed = /wildfly|jboss/i.test(buildText);
    server = ejb || build.packaging === 'ear' || named !== undefined || wildflyNamed ? 'wildfly' : 'tomcat';
    notes.push(server === 'wildfly'
      ? `deployed on WildFly: ${ejb ? 'the app uses EJB, which a servlet container cannot run' : named !== undefined ? `${named} is a JBoss/WildFly descriptor` : build.packaging === 'ear' ? 'an EAR needs a Jakarta EE server' : 'the build names WildFly/JBoss'}`
      : 'a web archive without Spring Boot: deployed on Tomcat as the root application');
    if (descriptors.some((file) => file.endsWith('WEB-INF/weblogic.xml'))) notes.push('WEB-INF/weblogic.xml names WebLogic, which has no public image; check its settings work on the server chosen');
  }
  const servletApi = server === undefined ? undefined : imports(/^import\s+jakarta\./m) || build.names.some((name) => name.startsWith('jakarta.')) ? 'jakarta' : 'javax';

  const declaredVersion = build.javaVersion;
  const languageVersion = declaredVersion?.replace(/^1\.(\d+)$/, '$1');
  if (declaredVersion !== undefined && declaredVersion !== languageVersion) notes.push(`Java ${declaredVersion} is the old name of Java ${languageVersion ?? ''}`);
  if (languageVersion === undefined) guesses.push({ field: 'languageVersion', value: '21', reason: `the ${tool} build declares no Java version; the current LTS is used` });

  const main = findFile(sources, /@SpringBootApplication/) ?? findFile(sources, /public\s+static\s+void\s+main\s*\(/);
  const mainClass = main === undefined ? undefined : qualifiedClassName(main);
  if (mainClass === undefined && server === undefined) notes.push('no main class found');
  const actuator = build.names.some((name) => name.endsWith(':spring-boot-starter-actuator'));

  const web = server !== undefined || build.names.some((name) => WEB_DEPENDENCY.test(name)) || imports(WEB_CODE);
  const config = await readServerPort(repo);
  let port: number | undefined = config;
  if (port === undefined && web) {
    port = 8080;
    guesses.push({ field: 'port', value: '8080', reason: server !== undefined ? `${server} listens on 8080` : 'no server.port in application.properties/.yml; 8080 is the default' });
  }
  if (!web) notes.push('no web dependency or server socket found: no port, no HTTP probe');
  const healthCheckPath = port === undefined ? undefined : actuator ? '/actuator/health' : findHealthPath(sources);
  const healthReason = actuator ? 'Spring Boot Actuator serves /actuator/health' : undefined;

  const wrapper = tool !== 'ant' && (await repo.exists(tool === 'maven' ? 'mvnw' : 'gradlew'));
  const runner = tool === 'ant' ? 'ant' : wrapper ? (tool === 'maven' ? './mvnw' : './gradlew') : tool === 'maven' ? 'mvn' : 'gradle';
  const buildCommand = tool === 'maven' ? `${runner} -B package -DskipTests`
    : tool === 'gradle' ? `${runner} ${springBoot ? 'bootJar' : archive ? 'war' : 'build -x test'} --no-daemon`
    : `ant${build.target === undefined ? '' : ` ${build.target}`}`;
  const artifact = build.artifact;
  if (artifact === undefined) notes.push(`the archive name is only known after the build; the Dockerfile copies the single ${archive ? 'war' : 'jar'} it finds`);
  const startCommand = server === 'tomcat' ? 'catalina.sh run' : server === 'wildfly' ? 'standalone.sh -b 0.0.0.0' : `java -jar ${artifact ?? 'app.jar'}`;

  return {
    language: 'java',
    languageVersion,
    framework,
    packageManager: tool,
    lockFile: tool === 'gradle' ? await repo.firstExisting(['gradle.lockfile']) : undefined,
    entryPoint: mainClass,
    port,
    portSource: port === undefined ? 'none' : config === undefined ? 'framework-default' : 'config',
    healthCheckPath,
    healthCheck: healthCheckFor(port, healthCheckPath, healthReason),
    buildCommand,
    startCommand,
    artifact,
    server,
    servletApi,
    dependencies: { production: build.names.length, development: build.testCount, names: build.names.sort() },
    notes,
    guesses,
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

function qualifiedClassName(file: SourceFile): string | undefined {
  const className = /\bclass\s+(\w+)/.exec(file.text)?.[1] ?? /([^/]+)\.(?:java|kt)$/.exec(file.relative)?.[1];
  if (className === undefined) return undefined;
  const packageName = /^\s*package\s+([\w.]+)/m.exec(file.text)?.[1];
  return packageName === undefined ? className : `${packageName}.${className}`;
}
