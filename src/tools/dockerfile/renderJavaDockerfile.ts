import type { AppAnalysis } from '../analysis/RepositoryAnalysisSchema.js';
import { nonRootUser } from './nonRootUser.js';
import type { RenderContext } from './RenderContext.js';
import { renderServe } from './renderServe.js';

/** Picks the one runnable archive when the build file does not name it. */
const FIND = "find {dir} -maxdepth 1 -name '*.{ext}' ! -name '*-plain.{ext}' ! -name '*-sources.{ext}' ! -name '*-javadoc.{ext}' -exec cp {} /tmp/app.{ext} ';'";
const TOMCAT = '/usr/local/tomcat';
const WILDFLY = '/opt/jboss/wildfly';

/**
 * Java: the archive built with Maven, Gradle or Ant in a JDK image, then either run as a jar on
 * a JRE-only Alpine image (heap sized from the container's memory limit), or deployed as the
 * root application (`ROOT.war`) of Tomcat or WildFly, whose work directories are handed to the
 * numeric app user.
 */
export function renderJavaDockerfile({ analysis, images, profile }: RenderContext): string[] {
  const ext = archiveExtension(analysis);
  const copy = analysis.artifact !== undefined && !analysis.artifact.includes('*')
    ? `cp ${analysis.artifact} /tmp/app.${ext}`
    : FIND.replace('{dir}', analysis.packageManager === 'gradle' ? 'build/libs' : analysis.packageManager === 'ant' ? 'dist' : 'target').replaceAll('{ext}', ext);
  const build = buildStage(analysis, copy, ext);
  const runtime = analysis.server === 'tomcat' ? tomcat(ext) : analysis.server === 'wildfly' ? wildfly(ext) : jar(images.flavour, ext);
  return [
    `FROM ${images.build} AS build`,
    'WORKDIR /src',
    ...build,
    '',
    `FROM ${images.runtime} AS runtime`,
    ...runtime.lines,
    ...(profile.port === undefined ? [] : [`ENV PORT=${profile.port}${analysis.server === undefined ? ` SERVER_PORT=${profile.port}` : ''}`]),
    ...renderServe(profile, images.runtime, runtime.start),
  ];
}

function archiveExtension(analysis: AppAnalysis): string {
  const ext = /\.(jar|war|ear)$/.exec(analysis.artifact ?? '')?.[1];
  return ext ?? (analysis.server === undefined ? 'jar' : 'war');
}

function buildStage(analysis: AppAnalysis, copy: string, ext: string): string[] {
  if (analysis.packageManager === 'maven') return ['COPY pom.xml ./', 'RUN mvn -B -q dependency:go-offline', 'COPY src ./src', `RUN mvn -B -q package -DskipTests && ${copy}`];
  if (analysis.packageManager === 'ant') {
    const target = /^ant\s+(\S+)/.exec(analysis.buildCommand ?? '')?.[1] ?? '';
    return [
      'RUN apt-get update && apt-get install -y --no-install-recommends ant && rm -rf /var/lib/apt/lists/*',
      'COPY . .',
      `RUN ant ${target}`.trimEnd() + ` && ${copy}`,
    ];
  }
  const task = analysis.framework === 'spring-boot' ? 'bootJar' : ext === 'war' ? 'war' : 'build -x test';
  return ['COPY . .', `RUN gradle ${task} --no-daemon -q && ${copy}`];
}

interface JavaRuntime {
  lines: string[];
  start: string;
}

/** An executable archive (a Spring Boot war runs with `java -jar` too). */
function jar(flavour: 'alpine' | 'debian' | 'distroless', ext: string): JavaRuntime {
  const user = nonRootUser(flavour);
  return {
    lines: ['WORKDIR /app', ...(user.create === undefined ? [] : [user.create]), `COPY --from=build /tmp/app.${ext} /app/app.${ext}`],
    start: `ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-jar", "/app/app.${ext}"]`,
  };
}

function tomcat(ext: string): JavaRuntime {
  const user = nonRootUser('bare');
  return {
    lines: [
      `COPY --from=build --chown=${user.owner} /tmp/app.${ext} ${TOMCAT}/webapps/ROOT.${ext}`,
      `RUN chown -R ${user.owner} ${TOMCAT}/work ${TOMCAT}/temp ${TOMCAT}/logs ${TOMCAT}/webapps`,
      'ENV JAVA_OPTS="-XX:MaxRAMPercentage=75.0"',
    ],
    start: 'CMD ["catalina.sh", "run"]',
  };
}

function wildfly(ext: string): JavaRuntime {
  const user = nonRootUser('bare');
  const name = ext === 'war' ? 'ROOT.war' : `app.${ext}`;
  return {
    lines: [
      // The image runs as its own `jboss` user; the deployment directories move to the app user.
      'USER root',
      `COPY --from=build --chown=${user.owner} /tmp/app.${ext} ${WILDFLY}/standalone/deployments/${name}`,
      `RUN chown -R ${user.owner} ${WILDFLY}/standalone`,
      'ENV JAVA_OPTS="-XX:MaxRAMPercentage=75.0"',
    ],
    start: `CMD ["${WILDFLY}/bin/standalone.sh", "-b", "0.0.0.0"]`,
  };
}
