import type { JavaBuild } from './JavaBuild.js';

const PACKAGINGS = { jar: 'jar', war: 'war', ear: 'ear', pom: 'pom', ejb: 'jar', 'maven-plugin': 'jar' } as const;

/**
 * Reads the few facts the analysis needs from a `pom.xml`: Java version, packaging, modules,
 * dependencies by scope and the archive name. Plain pattern matching is enough for these
 * well-known elements; the sections that repeat `artifactId`/`version` (`parent`,
 * `dependencies`, `build`, `profiles`) are cut out before the project's own coordinates are read.
 *
 * @example
 * readMavenPom(text).javaVersion; // '21'
 */
export function readMavenPom(pom: string): JavaBuild {
  const withoutComments = pom.replace(/<!--[\s\S]*?-->/g, '');
  const javaVersion = ['java.version', 'maven.compiler.release', 'maven.compiler.source', 'maven.compiler.target']
    .map((property) => new RegExp(`<${property.replaceAll('.', '\\.')}>\\s*([^<\\s]+)\\s*</`).exec(withoutComments)?.[1])
    .find((value) => value !== undefined && !value.includes('$')) ?? /<(?:release|source)>\s*(\d[\d.]*)\s*<\//.exec(withoutComments)?.[1];
  const managed = withoutComments.replace(/<dependencyManagement>[\s\S]*?<\/dependencyManagement>/g, '').replace(/<plugins>[\s\S]*?<\/plugins>/g, '');
  const dependencies = [...managed.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)].map((match) => match[1] ?? '');
  const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>\\s*([^<]+?)\\s*</${name}>`).exec(xml)?.[1];
  const isTest = (xml: string): boolean => tag(xml, 'scope') === 'test';
  const modules = [...(/<modules>([\s\S]*?)<\/modules>/.exec(withoutComments)?.[1] ?? '').matchAll(/<module>\s*([^<]+?)\s*<\/module>/g)].map((match) => match[1] ?? '');
  const own = withoutComments.replace(/<(parent|dependencies|dependencyManagement|build|profiles|reporting|modules)>[\s\S]*?<\/\1>/g, '');
  const packaging = PACKAGINGS[(tag(own, 'packaging') ?? 'jar') as keyof typeof PACKAGINGS] ?? 'jar';
  const artifactId = tag(own, 'artifactId');
  const version = tag(own, 'version') ?? tag(/<parent>[\s\S]*?<\/parent>/.exec(withoutComments)?.[0] ?? '', 'version');
  const finalName = tag(withoutComments, 'finalName');
  const name = finalName ?? (artifactId !== undefined && version !== undefined && !version.includes('$') ? `${artifactId}-${version}` : undefined);
  return {
    javaVersion,
    names: dependencies.filter((xml) => !isTest(xml)).map((xml) => `${tag(xml, 'groupId') ?? ''}:${tag(xml, 'artifactId') ?? ''}`),
    testCount: dependencies.filter(isTest).length,
    artifact: name === undefined || name.includes('$') || packaging === 'pom' ? undefined : `target/${name}.${packaging}`,
    packaging,
    modules,
  };
}
