import { z } from 'zod';

/** Languages the containerization pack can build images for. */
export const Language = { node: 'node', python: 'python', go: 'go', java: 'java', dotnet: 'dotnet', rust: 'rust' } as const;
export type Language = (typeof Language)[keyof typeof Language];

/** Where the detected port came from, most trustworthy first; `none` for an app that listens on no port. */
export const PortSource = { config: 'config', code: 'code', frameworkDefault: 'framework-default', none: 'none' } as const;
export type PortSource = (typeof PortSource)[keyof typeof PortSource];

/**
 * How the app can be probed: an HTTP `path` on the port, a TCP connect to the port (no health
 * route was found, so `/` would be a guess that restarts a healthy pod), or not at all (no port:
 * a stdio MCP server, a worker). The Dockerfile's HEALTHCHECK and the manifests' probes both
 * follow it, so they never disagree.
 */
export const HealthCheckSchema = z.object({
  type: z.enum(['http', 'tcp', 'none']),
  path: z.string().startsWith('/').optional(),
  /** Why this probe: the route found in code, a framework default, or what was missing. */
  reason: z.string(),
});
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** A value the analysis could not read from the repository and filled in, with the reason. */
export const GuessSchema = z.object({ field: z.string(), value: z.string(), reason: z.string() });
export type Guess = z.infer<typeof GuessSchema>;

/** The language-specific facts of one app (the repository root, or one module of a monorepo). */
export const AppAnalysisSchema = z.object({
  language: z.enum(['node', 'python', 'go', 'java', 'dotnet', 'rust']),
  /** The version as declared (`>=20`, `3.12`, `1.23`, `21`; Java `1.8` is reported as `8`), when declared. */
  languageVersion: z.string().optional(),
  /**
   * `express`, `fastify`, `next`, `mcp`, `flask`, `fastapi`, `django`, `gin`, `echo`, `spring-boot`,
   * `spring-mvc`, `servlet`, `ejb`, `aspnetcore`, `axum`, `actix-web`, `rocket`, `warp` or `none`.
   */
  framework: z.string(),
  packageManager: z.enum(['npm', 'yarn', 'pnpm', 'pip', 'poetry', 'pipenv', 'go', 'maven', 'gradle', 'ant', 'dotnet', 'cargo']),
  /** Lock file at the app's root (`package-lock.json`, `poetry.lock`, `go.sum`, `Cargo.lock`, ...), when present. */
  lockFile: z.string().optional(),
  /** The file or package that starts the app (`src/server.js`, `app.py`, `./cmd/api`, a main class, an assembly). */
  entryPoint: z.string().optional(),
  /** The port the app listens on; absent when it listens on none (stdio MCP server, worker). */
  port: z.number().int().min(1).max(65535).optional(),
  portSource: z.enum(['config', 'code', 'framework-default', 'none']),
  /** An HTTP path answering health probes (`/health`, `/actuator/health`), when there is one. Same as `healthCheck.path`. */
  healthCheckPath: z.string().optional(),
  /** How to probe the app; absent in analyses made before it existed (then derived from port and path). */
  healthCheck: HealthCheckSchema.optional(),
  buildCommand: z.string().optional(),
  startCommand: z.string(),
  /** Build artifact the start command runs or the server deploys (a jar, war, binary, dll), relative to the app, when known. */
  artifact: z.string().optional(),
  /** Java web archives: the servlet container or application server that runs them. */
  server: z.enum(['tomcat', 'wildfly']).optional(),
  /** Java web archives: `javax.*` (Java EE, Tomcat 9 / WildFly 26) or `jakarta.*` (Tomcat 10+, WildFly 27+). */
  servletApi: z.enum(['javax', 'jakarta']).optional(),
  /**
   * The npm or Cargo workspace a monorepo module belongs to: its image is built from the
   * repository root (`docker build -f <module>/Dockerfile .`) so that the root lock file and the
   * sibling packages (or inherited workspace dependencies) it needs are there.
   */
  workspace: z.object({ manager: z.enum(['npm', 'cargo']), lockFile: z.string().optional(), packages: z.array(z.string()) }).optional(),
  dependencies: z.object({
    production: z.number().int().nonnegative(),
    development: z.number().int().nonnegative(),
    /** Names of the production dependencies. */
    names: z.array(z.string()),
  }),
  /** Facts a human should know (no lock file, several main packages, ...). */
  notes: z.array(z.string()),
  /** Values filled in rather than read, each with why. */
  guesses: z.array(GuessSchema).default([]),
});
export type AppAnalysis = z.output<typeof AppAnalysisSchema>;

/** One app of a monorepo: its path relative to the repository and its analysis. */
export const ModuleAnalysisSchema = AppAnalysisSchema.extend({ module: z.string() });
export type ModuleAnalysis = z.output<typeof ModuleAnalysisSchema>;

/**
 * What `analyze_repository` found in a repository: enough to write a Dockerfile and
 * Kubernetes manifests without reading the repository again. For a monorepo the top-level
 * facts are those of one module (`module`, the first app or the one asked for) and `modules`
 * lists every module found.
 */
export const RepositoryAnalysisSchema = AppAnalysisSchema.extend({
  /** Absolute path of the analysed directory (the repository root). */
  path: z.string(),
  /** Path of the module the top-level facts describe, relative to `path`; `''` for the root. */
  module: z.string().default(''),
  /** The modules of a monorepo (empty for a single-app repository). */
  modules: z.array(ModuleAnalysisSchema).default([]),
  /** Dockerfiles already in the repository, relative paths. */
  dockerfiles: z.array(z.string()),
  /** YAML files holding Kubernetes objects, with the kinds they declare. */
  kubernetesManifests: z.array(z.object({ file: z.string(), kinds: z.array(z.string()) })),
});

/** The output of `analyze_repository`. */
export type RepositoryAnalysis = z.output<typeof RepositoryAnalysisSchema>;
