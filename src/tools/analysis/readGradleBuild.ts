import type { JavaBuild } from './JavaBuild.js';

/**
 * Reads the Java version, packaging and dependencies from a Gradle build script (Groovy or
 * Kotlin DSL) by matching the usual `implementation("group:name:version")`, `war` plugin and
 * toolchain lines; a script that computes them is not evaluated.
 *
 * @example
 * readGradleBuild(text).javaVersion; // '17'
 */
export function readGradleBuild(text: string): JavaBuild {
  const javaVersion =
    /JavaLanguageVersion\.of\(\s*(\d+)\s*\)/.exec(text)?.[1] ??
    /(?:source|target)Compatibility\s*=\s*(?:JavaVersion\.VERSION_)?['"]?(\d+(?:[._]\d+)?)/.exec(text)?.[1]?.replace('_', '.');
  const lines = [...text.matchAll(/^\s*(\w+)\s*\(?\s*["']([^"':]+:[^"':]+)[^"']*["']/gm)];
  const isTest = (configuration: string): boolean => configuration.startsWith('test');
  const known = /^(implementation|api|compile|compileOnly|providedCompile|runtimeOnly|developmentOnly|annotationProcessor|test\w+)$/;
  const deps = lines.filter((match) => known.test(match[1] ?? ''));
  const war = /(?:id\s*\(?\s*["']war["']|apply\s+plugin\s*:\s*["']war["']|^\s*war\s*$)/m.test(text);
  return {
    javaVersion,
    names: deps.filter((match) => !isTest(match[1] ?? '')).map((match) => match[2] ?? ''),
    testCount: deps.filter((match) => isTest(match[1] ?? '')).length,
    artifact: undefined,
    packaging: war ? 'war' : 'jar',
    modules: [],
  };
}
