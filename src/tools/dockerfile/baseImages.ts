import type { AppAnalysis } from '../analysis/RepositoryAnalysisSchema.js';

/** The flavour of a runtime image, which decides how to add a user and whether a probe can run. */
export type ImageFlavour = 'alpine' | 'debian' | 'distroless';

/** The images of one generated Dockerfile. */
export interface BaseImages {
  /** Image of the build stage(s). */
  build: string;
  /** Image of the final stage: the one that ships. */
  runtime: string;
  flavour: ImageFlavour;
  /** Why a version or an image was chosen other than the declared one. */
  notes: string[];
}

/**
 * Pinned images by language version. Tags carry the full patch version and the OS release, so a
 * rebuild never silently moves; bump them here, in one place.
 */
const NODE: Record<string, string> = { '18': '18.20.5-alpine3.21', '20': '20.18.1-alpine3.21', '22': '22.12.0-alpine3.21', '24': '24.11.1-alpine3.22' };
const PYTHON: Record<string, string> = { '3.10': '3.10.16-slim-bookworm', '3.11': '3.11.11-slim-bookworm', '3.12': '3.12.8-slim-bookworm', '3.13': '3.13.1-slim-bookworm' };
const GO: Record<string, string> = { '1.22': '1.22.10-alpine3.21', '1.23': '1.23.4-alpine3.21' };
const RUST: Record<string, string> = { '1.83': '1.83.0-alpine3.21' };
interface JavaImages { maven: string; gradle: string; jdk: string; jre: string; tomcat: string; tomcatJavax: string; wildfly: string; wildflyJavax: string }
const JAVA: Record<string, JavaImages> = {
  '8': { maven: '3.9.9-eclipse-temurin-8', gradle: '8.11.1-jdk8', jdk: '8u432-b06-jdk', jre: '8u432-b06-jre-alpine', tomcat: '9.0.98-jre8-temurin-jammy', tomcatJavax: '9.0.98-jre8-temurin-jammy', wildfly: '26.1.3.Final-jdk11', wildflyJavax: '26.1.3.Final-jdk11' },
  '11': { maven: '3.9.9-eclipse-temurin-11', gradle: '8.11.1-jdk11-alpine', jdk: '11.0.25_9-jdk', jre: '11.0.25_9-jre-alpine', tomcat: '9.0.98-jre11-temurin-jammy', tomcatJavax: '9.0.98-jre11-temurin-jammy', wildfly: '26.1.3.Final-jdk11', wildflyJavax: '26.1.3.Final-jdk11' },
  '17': { maven: '3.9.9-eclipse-temurin-17', gradle: '8.11.1-jdk17-alpine', jdk: '17.0.13_11-jdk', jre: '17.0.13_11-jre-alpine', tomcat: '10.1.34-jre17-temurin-jammy', tomcatJavax: '9.0.98-jre17-temurin-jammy', wildfly: '34.0.1.Final-jdk17', wildflyJavax: '26.1.3.Final-jdk17' },
  '21': { maven: '3.9.9-eclipse-temurin-21', gradle: '8.11.1-jdk21-alpine', jdk: '21.0.5_11-jdk', jre: '21.0.5_11-jre-alpine', tomcat: '10.1.34-jre21-temurin-jammy', tomcatJavax: '9.0.98-jre21-temurin-jammy', wildfly: '34.0.1.Final-jdk21', wildflyJavax: '26.1.3.Final-jdk17' },
  '25': { maven: '3.9.11-eclipse-temurin-25', gradle: '9.2.0-jdk25-alpine', jdk: '25.0.1_8-jdk', jre: '25.0.1_8-jre-alpine', tomcat: '11.0.14-jre25-temurin-noble', tomcatJavax: '9.0.112-jre25-temurin-noble', wildfly: '38.0.0.Final-jdk25', wildflyJavax: '26.1.3.Final-jdk17' },
};
const JAVA_21 = JAVA['21'] as JavaImages;
const DOTNET: Record<string, { sdk: string; runtime: string }> = {
  '8.0': { sdk: '8.0.404-alpine3.20', runtime: '8.0.11-alpine3.20' },
  '9.0': { sdk: '9.0.101-alpine3.20', runtime: '9.0.0-alpine3.20' },
};
const DEFAULTS = { node: '22', python: '3.12', go: '1.23', java: '21', dotnet: '8.0', rust: '1.83' } as const;

/** Static binaries run on distroless; cgo or a linked libssl needs a libc, so those ship on Alpine. */
export const DISTROLESS_STATIC = 'gcr.io/distroless/static-debian12:nonroot';
export const ALPINE = 'alpine:3.21.0';
const CGO_MODULES = ['github.com/mattn/go-sqlite3', 'github.com/confluentinc/confluent-kafka-go'];
const LIBC_CRATES = ['openssl', 'native-tls', 'openssl-sys', 'rusqlite', 'libsqlite3-sys'];

/**
 * Picks pinned build and runtime images for an analysis. A declared version selects the matching
 * line (`>=20` picks the newest known, `^20`/`20.x`/`20` picks 20, Java `1.8` is 8); an unknown one
 * falls back to the default with a note. `baseImageTag` replaces the tag of the language image:
 * `node:` and `python:` (both stages), `golang:`/`rust:` (build stage), the runtime image of Java
 * and .NET.
 *
 * @example
 * pickBaseImages(analysis).runtime; // 'node:22.12.0-alpine3.21'
 */
export function pickBaseImages(analysis: AppAnalysis, baseImageTag?: string): BaseImages {
  const notes: string[] = [];
  switch (analysis.language) {
    case 'node': {
      const image = `node:${baseImageTag ?? NODE[pickVersion(NODE, nodeVersion(analysis.languageVersion), DEFAULTS.node, notes, 1)]}`;
      return { build: image, runtime: image, flavour: flavourOf(image), notes };
    }
    case 'python': {
      const image = `python:${baseImageTag ?? PYTHON[pickVersion(PYTHON, analysis.languageVersion, DEFAULTS.python, notes, 2)]}`;
      return { build: image, runtime: image, flavour: flavourOf(image), notes };
    }
    case 'go': {
      const build = `golang:${baseImageTag ?? GO[pickVersion(GO, analysis.languageVersion, DEFAULTS.go, notes, 2)]}`;
      const cgo = analysis.dependencies.names.some((name) => CGO_MODULES.some((module) => name.startsWith(module)));
      if (cgo) notes.push('a dependency needs cgo: the binary links libc and ships on Alpine instead of distroless');
      return { build, runtime: cgo ? ALPINE : DISTROLESS_STATIC, flavour: cgo ? 'alpine' : 'distroless', notes };
    }
    case 'rust': {
      const build = `rust:${baseImageTag ?? RUST[pickVersion(RUST, analysis.languageVersion, DEFAULTS.rust, notes, 2)]}`;
      const libc = analysis.dependencies.names.some((name) => LIBC_CRATES.includes(name));
      if (libc) notes.push('a crate links a C library (OpenSSL, SQLite): the binary ships on Alpine instead of distroless');
      return { build, runtime: libc ? ALPINE : DISTROLESS_STATIC, flavour: libc ? 'alpine' : 'distroless', notes };
    }
    case 'dotnet': {
      const tags = DOTNET[pickVersion(DOTNET, analysis.languageVersion, DEFAULTS.dotnet, notes, 2)] ?? DOTNET[DEFAULTS.dotnet];
      const runtimeRepo = analysis.framework === 'aspnetcore' ? 'aspnet' : 'runtime';
      const runtime = `mcr.microsoft.com/dotnet/${runtimeRepo}:${baseImageTag ?? tags?.runtime}`;
      return { build: `mcr.microsoft.com/dotnet/sdk:${tags?.sdk}`, runtime, flavour: flavourOf(runtime), notes };
    }
    case 'java': {
      const tags: JavaImages = JAVA[pickVersion(JAVA, analysis.languageVersion, DEFAULTS.java, notes, 1)] ?? JAVA_21;
      const build = analysis.packageManager === 'gradle' ? `gradle:${tags.gradle}` : analysis.packageManager === 'ant' ? `eclipse-temurin:${tags.jdk}` : `maven:${tags.maven}`;
      const javax = analysis.servletApi === 'javax';
      let runtime = `eclipse-temurin:${baseImageTag ?? tags.jre}`;
      if (analysis.server === 'tomcat') runtime = `tomcat:${baseImageTag ?? (javax ? tags.tomcatJavax : tags.tomcat)}`;
      if (analysis.server === 'wildfly') runtime = `quay.io/wildfly/wildfly:${baseImageTag ?? (javax ? tags.wildflyJavax : tags.wildfly)}`;
      if (analysis.server !== undefined && javax) notes.push(`javax.* APIs: ${analysis.server === 'tomcat' ? 'Tomcat 9' : 'WildFly 26'}, the last line before the jakarta.* namespace`);
      return { build, runtime, flavour: flavourOf(runtime), notes };
    }
  }
}

/** `alpine` when the tag says so, `distroless` for distroless images, `debian` otherwise. */
export function flavourOf(image: string): ImageFlavour {
  if (image.includes('distroless') || image === 'scratch') return 'distroless';
  return /alpine/.test(image) ? 'alpine' : 'debian';
}

/** `.nvmrc` LTS code names to their major line. */
const NODE_CODENAMES: Record<string, string> = { hydrogen: '18', iron: '20', jod: '22', krypton: '24' };

function nodeVersion(declared: string | undefined): string | undefined {
  const codename = /^lts\/(\w+)$/i.exec(declared?.trim() ?? '')?.[1]?.toLowerCase();
  if (codename === undefined) return declared;
  return NODE_CODENAMES[codename] ?? DEFAULTS.node;
}

function pickVersion(table: Record<string, unknown>, declared: string | undefined, fallback: string, notes: string[], parts: 1 | 2): string {
  const known = Object.keys(table).sort(compareVersions);
  const newest = known[known.length - 1] ?? fallback;
  if (declared === undefined) return fallback;
  // Java's old scheme: 1.8 is Java 8.
  const normalized = parts === 1 ? declared.replace(/^(\D*)1\.(\d+)/, '$1$2') : declared;
  const match = /(\d+)(?:\.(\d+))?/.exec(normalized);
  if (match === null) {
    notes.push(`language version "${declared}" is not a number; using ${fallback}`);
    return fallback;
  }
  const wanted = parts === 1 ? match[1] ?? '' : `${match[1] ?? ''}.${match[2] ?? '0'}`;
  // `>=20` asks for at least 20: take the newest line. Everything else (`^20`, `~3.11`, `20.x`,
  // `3.12`, a go directive) names a line: take that one.
  if (/^\s*>/.test(normalized)) {
    const atLeast = known.filter((version) => compareVersions(version, wanted) >= 0);
    return atLeast[atLeast.length - 1] ?? newest;
  }
  if (wanted in table) return wanted;
  const newer = known.find((version) => compareVersions(version, wanted) > 0);
  const chosen = compareVersions(wanted, newest) > 0 ? newest : newer ?? fallback;
  notes.push(`no pinned image for version ${wanted}; using ${chosen}`);
  return chosen;
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}
