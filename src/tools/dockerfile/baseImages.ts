import type { RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';

/** The flavour of a runtime image, which decides how to add a user and whether a probe can run. */
export type ImageFlavour = 'alpine' | 'debian' | 'distroless';

/** The images of one generated Dockerfile. */
export interface BaseImages {
  /** Image of the build stage(s). */
  build: string;
  /** Image of the final stage: the one that ships. */
  runtime: string;
  flavour: ImageFlavour;
  /** Why a version was chosen other than the declared one. */
  notes: string[];
}

/**
 * Pinned images by language version (December 2024 releases). Tags carry the full patch
 * version and the OS release, so a rebuild never silently moves; bump them here, in one place.
 */
const NODE: Record<string, string> = { '18': '18.20.5-alpine3.21', '20': '20.18.1-alpine3.21', '22': '22.12.0-alpine3.21' };
const PYTHON: Record<string, string> = { '3.10': '3.10.16-slim-bookworm', '3.11': '3.11.11-slim-bookworm', '3.12': '3.12.8-slim-bookworm', '3.13': '3.13.1-slim-bookworm' };
const GO: Record<string, string> = { '1.22': '1.22.10-alpine3.21', '1.23': '1.23.4-alpine3.21' };
const JAVA: Record<string, { maven: string; gradle: string; jre: string }> = {
  '11': { maven: '3.9.9-eclipse-temurin-11', gradle: '8.11.1-jdk11-alpine', jre: '11.0.25_9-jre-alpine' },
  '17': { maven: '3.9.9-eclipse-temurin-17', gradle: '8.11.1-jdk17-alpine', jre: '17.0.13_11-jre-alpine' },
  '21': { maven: '3.9.9-eclipse-temurin-21', gradle: '8.11.1-jdk21-alpine', jre: '21.0.5_11-jre-alpine' },
};
const DEFAULTS = { node: '22', python: '3.12', go: '1.23', java: '21' } as const;

/** Static Go binaries run on distroless; cgo needs a libc, so those ship on Alpine. */
export const DISTROLESS_STATIC = 'gcr.io/distroless/static-debian12:nonroot';
export const ALPINE = 'alpine:3.21.0';
const CGO_MODULES = ['github.com/mattn/go-sqlite3', 'github.com/confluentinc/confluent-kafka-go'];

/**
 * Picks pinned build and runtime images for an analysis. A declared version selects the matching
 * line (`>=20` picks the newest known, `^20`/`20.x`/`20` picks 20); an unknown one falls back to
 * the default with a note. `baseImageTag` replaces the tag of the language image: `node:` and
 * `python:` (both stages), `golang:` (build stage), `eclipse-temurin:` (runtime stage of Java).
 *
 * @example
 * pickBaseImages(analysis).runtime; // 'node:22.12.0-alpine3.21'
 */
export function pickBaseImages(analysis: RepositoryAnalysis, baseImageTag?: string): BaseImages {
  const notes: string[] = [];
  switch (analysis.language) {
    case 'node': {
      const image = `node:${baseImageTag ?? NODE[pickVersion(NODE, analysis.languageVersion, DEFAULTS.node, notes, 1)]}`;
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
    case 'java': {
      const tags = JAVA[pickVersion(JAVA, analysis.languageVersion, DEFAULTS.java, notes, 1)] ?? JAVA[DEFAULTS.java];
      const build = analysis.packageManager === 'gradle' ? `gradle:${tags?.gradle}` : `maven:${tags?.maven}`;
      const runtime = `eclipse-temurin:${baseImageTag ?? tags?.jre}`;
      return { build, runtime, flavour: flavourOf(runtime), notes };
    }
  }
}

/** `alpine` when the tag says so, `distroless` for distroless images, `debian` otherwise. */
export function flavourOf(image: string): ImageFlavour {
  if (image.includes('distroless') || image === 'scratch') return 'distroless';
  return /alpine/.test(image) ? 'alpine' : 'debian';
}

function pickVersion(table: Record<string, unknown>, declared: string | undefined, fallback: string, notes: string[], parts: 1 | 2): string {
  const known = Object.keys(table).sort(compareVersions);
  const newest = known[known.length - 1] ?? fallback;
  if (declared === undefined) return fallback;
  const match = /(\d+)(?:\.(\d+))?/.exec(declared);
  if (match === null) {
    notes.push(`language version "${declared}" is not a number; using ${fallback}`);
    return fallback;
  }
  const wanted = parts === 1 ? match[1] ?? '' : `${match[1] ?? ''}.${match[2] ?? '0'}`;
  // `>=20` asks for at least 20: take the newest line. Everything else (`^20`, `~3.11`, `20.x`,
  // `3.12`, a go directive) names a line: take that one.
  if (/^\s*>/.test(declared)) {
    const atLeast = known.filter((version) => compareVersions(version, wanted) >= 0);
    return atLeast[atLeast.length - 1] ?? newest;
  }
  if (wanted in table) return wanted;
  const chosen = compareVersions(wanted, newest) > 0 ? newest : fallback;
  notes.push(`no pinned image for version ${wanted}; using ${chosen}`);
  return chosen;
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}
