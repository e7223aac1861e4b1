/** What the analysis needs from a build file (pom.xml, build.gradle, build.xml). */
export interface JavaBuild {
  /** As declared; `1.8` is normalised to `8` by the detector. */
  javaVersion: string | undefined;
  /** `group:artifact` of the non-test dependencies. */
  names: string[];
  testCount: number;
  /** Path of the built archive, relative to the app, when the build file fixes it. */
  artifact: string | undefined;
  /** `jar`, `war`, `ear`, or `pom` for a Maven aggregator. */
  packaging: 'jar' | 'war' | 'ear' | 'pom';
  /** Sub-modules of a Maven aggregator or Gradle multi-project build. */
  modules: string[];
  /** The build command's target or task, when the build file names one (Ant's default target). */
  target?: string | undefined;
}
