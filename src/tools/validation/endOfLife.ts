/**
 * End of upstream support by release line, from the projects' own schedules (Node.js release
 * schedule, Python devguide, PHP supported versions, Eclipse Temurin support, Debian LTS).
 * Dates are the first day without support; update this table as releases age.
 */
const NODE: Record<string, string> = {
  '10': '2021-04-30', '12': '2022-04-30', '14': '2023-04-30', '15': '2021-06-01', '16': '2023-09-11', '17': '2022-06-01', '18': '2025-04-30',
  '19': '2023-06-01', '20': '2026-04-30', '21': '2024-06-01', '22': '2027-04-30', '23': '2025-06-01', '24': '2028-04-30', '25': '2026-06-01',
};
const PYTHON: Record<string, string> = {
  '2.7': '2020-01-01', '3.5': '2020-09-13', '3.6': '2021-12-23', '3.7': '2023-06-27', '3.8': '2024-10-07', '3.9': '2025-10-31', '3.10': '2026-10-31',
  '3.11': '2027-10-31', '3.12': '2028-10-31', '3.13': '2029-10-31', '3.14': '2030-10-31',
};
const PHP: Record<string, string> = {
  '5.6': '2018-12-31', '7.0': '2019-01-10', '7.1': '2019-12-01', '7.2': '2020-11-30', '7.3': '2021-12-06', '7.4': '2022-11-28', '8.0': '2023-11-26',
  '8.1': '2025-12-31', '8.2': '2026-12-31', '8.3': '2027-12-31', '8.4': '2028-12-31',
};
/** Java feature releases; the non-LTS ones end when the next one ships. */
const JAVA: Record<string, string> = {
  '6': '2018-12-31', '7': '2022-07-31', '8': '2030-12-31', '9': '2018-03-20', '10': '2018-09-25', '11': '2027-10-31', '12': '2019-09-17', '13': '2020-03-17',
  '14': '2020-09-15', '15': '2021-03-16', '16': '2021-09-14', '17': '2027-10-31', '18': '2022-09-20', '19': '2023-03-21', '20': '2023-09-19',
  '21': '2029-12-31', '22': '2024-09-17', '23': '2025-03-18', '24': '2025-09-16', '25': '2031-09-30',
};
const DEBIAN: Record<string, string> = { jessie: '2020-06-30', stretch: '2022-06-30', buster: '2024-06-30', bullseye: '2026-08-31' };

const JAVA_IMAGES = new Set(['eclipse-temurin', 'openjdk', 'amazoncorretto', 'ibmjava', 'ibm-semeru-runtimes', 'sapmachine', 'azul/zulu-openjdk', 'java']);
const JAVA_HOSTS = new Set(['tomcat', 'maven', 'gradle', 'jetty', 'wildfly/wildfly', 'jboss/wildfly']);

/** A release line past its end of support. */
export interface EndOfLife {
  runtime: string;
  line: string;
  ended: string;
}

/**
 * The release line of `repository:tag` that is out of support on `asOf`, when the image is a
 * Node.js, Python, PHP or Java runtime (or a Java host such as Tomcat or Maven, by its `jre`/`jdk`
 * part), or is built on an ended Debian release.
 *
 * @example
 * endOfLife('php', '7.4-apache', '2026-12-01'); // { runtime: 'PHP', line: '7.4', ended: '2022-11-28' }
 */
export function endOfLife(repository: string, tag: string, asOf: string): EndOfLife | undefined {
  const check = (runtime: string, table: Record<string, string>, line: string | undefined): EndOfLife | undefined => {
    const ended = line === undefined ? undefined : table[line];
    return ended !== undefined && ended <= asOf && line !== undefined ? { runtime, line, ended } : undefined;
  };
  const leading = /^(\d+)(?:\.(\d+))?/.exec(tag);
  const major = leading?.[1];
  const minor = leading?.[2] === undefined ? undefined : `${major ?? ''}.${leading[2]}`;
  let found: EndOfLife | undefined;
  if (repository === 'node') found = check('Node.js', NODE, major);
  else if (repository === 'python') found = check('Python', PYTHON, minor ?? (major === '2' ? '2.7' : undefined));
  else if (repository === 'php') found = check('PHP', PHP, minor);
  else if (JAVA_IMAGES.has(repository)) found = check('Java', JAVA, major === '1' && minor !== undefined ? minor.slice(2) : major);
  else if (JAVA_HOSTS.has(repository)) found = check('Java', JAVA, /(?:jre|jdk|temurin-|openjdk-?|corretto-?)(\d+)/.exec(tag)?.[1]);
  if (found !== undefined) return found;
  const codename = Object.keys(DEBIAN).find((name) => tag.includes(name));
  return codename === undefined ? undefined : check('Debian', DEBIAN, codename);
}
