import type { RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';
import type { BaseImages } from './baseImages.js';
import { nonRootUser } from './nonRootUser.js';
import { renderHealthcheck } from './renderHealthcheck.js';

/** Picks the one runnable jar when the build file does not name it. */
const FIND_JAR = "find {dir} -maxdepth 1 -name '*.jar' ! -name '*-plain.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' -exec cp {} /tmp/app.jar ';'";

/**
 * Java: the jar built with Maven or Gradle in a JDK image (dependencies resolved in their own
 * layer for Maven), then run on a JRE-only Alpine image as an unprivileged user, with the heap
 * sized from the container's memory limit.
 */
export function renderJavaDockerfile(analysis: RepositoryAnalysis, images: BaseImages): string[] {
  const maven = analysis.packageManager === 'maven';
  const copyJar = analysis.artifact !== undefined ? `cp ${analysis.artifact} /tmp/app.jar` : FIND_JAR.replace('{dir}', maven ? 'target' : 'build/libs');
  const build = maven
    ? ['COPY pom.xml ./', 'RUN mvn -B -q dependency:go-offline', 'COPY src ./src', `RUN mvn -B -q package -DskipTests && ${copyJar}`]
    : ['COPY . .', `RUN gradle ${analysis.framework === 'spring-boot' ? 'bootJar' : 'build -x test'} --no-daemon -q && ${copyJar}`];
  const user = nonRootUser(images.runtime, images.flavour);
  return [
    `FROM ${images.build} AS build`,
    'WORKDIR /src',
    ...build,
    '',
    `FROM ${images.runtime} AS runtime`,
    'WORKDIR /app',
    ...(user.create === undefined ? [] : [user.create]),
    `COPY --from=build --chown=${user.name}:${user.name} /tmp/app.jar /app/app.jar`,
    `ENV PORT=${analysis.port} SERVER_PORT=${analysis.port}`,
    `USER ${user.name}`,
    `EXPOSE ${analysis.port}`,
    ...renderHealthcheck({ image: images.runtime, port: analysis.port, path: analysis.healthCheckPath, startPeriodSeconds: 60 }),
    'ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-jar", "/app/app.jar"]',
  ];
}
