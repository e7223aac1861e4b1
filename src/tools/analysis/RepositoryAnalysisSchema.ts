import { z } from 'zod';

/** Languages the containerization pack can build images for. */
export const Language = { node: 'node', python: 'python', go: 'go', java: 'java' } as const;
export type Language = (typeof Language)[keyof typeof Language];

/** Where the detected port came from, most trustworthy first. */
export const PortSource = { config: 'config', code: 'code', frameworkDefault: 'framework-default' } as const;
export type PortSource = (typeof PortSource)[keyof typeof PortSource];

/**
 * What `analyze_repository` found in a repository: enough to write a Dockerfile and
 * Kubernetes manifests without reading the repository again.
 */
export const RepositoryAnalysisSchema = z.object({
  /** Absolute path of the analysed directory. */
  path: z.string(),
  language: z.enum(['node', 'python', 'go', 'java']),
  /** The version constraint as declared (`>=20`, `3.12`, `1.23`, `21`), when declared. */
  languageVersion: z.string().optional(),
  /** `express`, `fastify`, `next`, `flask`, `fastapi`, `django`, `gin`, `echo`, `spring-boot` or `none`. */
  framework: z.string(),
  packageManager: z.enum(['npm', 'yarn', 'pnpm', 'pip', 'poetry', 'pipenv', 'go', 'maven', 'gradle']),
  /** Lock file at the repository root (`package-lock.json`, `poetry.lock`, `go.sum`, ...), when present. */
  lockFile: z.string().optional(),
  /** The file or package that starts the app (`src/server.js`, `app.py`, `./cmd/api`, a main class). */
  entryPoint: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  portSource: z.enum(['config', 'code', 'framework-default']),
  /** An HTTP path answering health probes (`/health`, `/healthz`, `/actuator/health`), when found in code. */
  healthCheckPath: z.string().optional(),
  buildCommand: z.string().optional(),
  startCommand: z.string(),
  /** Build artifact the start command runs (a jar or binary), relative to the repository, when known. */
  artifact: z.string().optional(),
  dependencies: z.object({
    production: z.number().int().nonnegative(),
    development: z.number().int().nonnegative(),
    /** Names of the production dependencies. */
    names: z.array(z.string()),
  }),
  /** Dockerfiles already in the repository, relative paths. */
  dockerfiles: z.array(z.string()),
  /** YAML files holding Kubernetes objects, with the kinds they declare. */
  kubernetesManifests: z.array(z.object({ file: z.string(), kinds: z.array(z.string()) })),
  /** Facts a human should know (no lock file, guessed entry point, ...). */
  notes: z.array(z.string()),
});

/** The output of `analyze_repository`. */
export type RepositoryAnalysis = z.infer<typeof RepositoryAnalysisSchema>;
