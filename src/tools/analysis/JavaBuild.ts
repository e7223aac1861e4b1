/** What the analysis needs from a build file. */
export interface JavaBuild {
  javaVersion: string | undefined;
  /** `group:artifact` of the non-test dependencies. */
  names: string[];
  testCount: number;
  /** Path of the built jar, relative to the repository, when the build file fixes it. */
  artifact: string | undefined;
}
