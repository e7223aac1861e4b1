import type { SourceFile } from './RepoReader.js';

/** A port found in a file. */
export interface PortMatch {
  port: number;
  file: string;
}

/**
 * The first valid port captured (group 1) by one of `patterns` in `files`; patterns are tried
 * in order, so list the most specific first.
 *
 * @example
 * findPort(files, [/\.listen\(\s*(\d{2,5})/]);
 */
export function findPort(files: readonly SourceFile[], patterns: readonly RegExp[]): PortMatch | undefined {
  for (const pattern of patterns) {
    for (const file of files) {
      const match = pattern.exec(file.text);
      const port = Number(match?.[1]);
      if (Number.isInteger(port) && port > 0 && port < 65536) return { port, file: file.relative };
    }
  }
  return undefined;
}

const HEALTH_PATHS = ['/health', '/healthz', '/actuator/health', '/livez', '/readyz', '/ping'];

/**
 * The health-probe path a source file routes, when one of the usual ones appears as a string
 * literal; probes then hit a cheap endpoint instead of `/`.
 */
export function findHealthPath(files: readonly SourceFile[]): string | undefined {
  for (const candidate of HEALTH_PATHS) {
    // Go 1.22 mux patterns put the method inside the literal: "GET /health".
    const literal = new RegExp(`["'\`](?:[A-Z]+ )?${candidate.replaceAll('/', '\\/')}["'\`]`);
    if (files.some((file) => literal.test(file.text))) return candidate;
  }
  return undefined;
}

/** The first file whose text matches `pattern`. */
export function findFile(files: readonly SourceFile[], pattern: RegExp): SourceFile | undefined {
  return files.find((file) => pattern.test(file.text));
}
