import type { JavaBuild } from './JavaBuild.js';

/**
 * Reads an Ant `build.xml`: the default target, the archive the `<war>`, `<ear>` or `<jar>` task
 * writes (with `${property}` references resolved from the file's `<property name value>`
 * elements), and the Java version of `<javac source|release|target>`. Dependencies of an Ant
 * build are jars in a directory, not names, so `names` stays empty.
 *
 * @example
 * readAntBuild(text).artifact; // 'dist/shop.war'
 */
export function readAntBuild(xml: string): JavaBuild {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  const properties = new Map<string, string>();
  for (const match of text.matchAll(/<property\s+([^>]*?)\/?>/g)) {
    const name = /\bname\s*=\s*"([^"]+)"/.exec(match[1] ?? '')?.[1];
    const value = /\b(?:value|location)\s*=\s*"([^"]*)"/.exec(match[1] ?? '')?.[1];
    if (name !== undefined && value !== undefined && !properties.has(name)) properties.set(name, value);
  }
  const resolve = (value: string): string => {
    let out = value;
    for (let depth = 0; depth < 5 && out.includes('${'); depth += 1) out = out.replace(/\$\{([^}]+)\}/g, (whole, name: string) => properties.get(name) ?? whole);
    return out.replace(/^\.\//, '').replace(/^\$\{basedir\}\//, '');
  };
  const archive = /<(war|ear|jar)\s[^>]*?\bdestfile\s*=\s*"([^"]+)"/.exec(text) ?? /<(war|ear|jar)\s[^>]*?\b(?:warfile|jarfile|earfile)\s*=\s*"([^"]+)"/.exec(text);
  const kind = (archive?.[1] ?? 'jar') as 'war' | 'ear' | 'jar';
  const artifact = archive?.[2] === undefined ? undefined : resolve(archive[2]);
  const javac = /<javac\s[^>]*>/.exec(text)?.[0] ?? '';
  const version = /\b(?:release|source|target)\s*=\s*"([^"]+)"/.exec(javac)?.[1] ?? properties.get('ant.build.javac.source') ?? properties.get('java.version');
  return {
    javaVersion: version === undefined ? undefined : resolve(version),
    names: [],
    testCount: 0,
    artifact: artifact?.includes('${') === true ? undefined : artifact,
    packaging: kind,
    modules: [],
    target: /<project\s[^>]*\bdefault\s*=\s*"([^"]+)"/.exec(text)?.[1],
  };
}
