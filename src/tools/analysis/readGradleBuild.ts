import type { JavaBuild } from './JavaBuild.js';

/**
 * Reads the Java version and dependencies from a Gradle build script (Groovy or Kotlin DSL) by
 * matching the usual `implementation("group:name:version")` and toolchain lines; a script that
 * computes them is not evaluated.
 *
 * @example
 * readGradleBuild(text).javaVersion; // '17'
 */
export function readGradleBuild(text: string): JavaBuild {
  const javaVersion =
    /JavaLanguageVersion\.of\(\s*(\d+)\s*\)/.exec(text)?.[1] ??
    /sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_)?['"]?(\d+(?:\.\d+)?)/.exec(text)?.[1];
  const lines = [...text.matchAll(/^\s*(\w+)\s*\(?\s*["']([^"':]+:[^"':]+)[^"']*["']/gm)];
  const isTest = (configuration: string): boolean => configuration.startsWith('test');
  const known = /^(implementation|api|compileOnly|runtimeOnly|developmentOnly|annotationProcessor|test\w+)$/;
  const deps = lines.filter((match) => known.test(match[1] ?? ''));
  return {
    javaVersion,
    names: deps.filter((match) => !isTest(match[1] ?? '')).map((match) => match[2] ?? ''),
    testCount: deps.filter((match) => isTest(match[1] ?? '')).length,
    artifact: undefined,
  };
}
