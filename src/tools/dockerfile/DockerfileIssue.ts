import { z } from 'zod';

/** One finding of the Dockerfile linter. */
export const DockerfileIssueSchema = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  /** 1-based line of the instruction (or part of it) at fault. */
  line: z.number().int().min(1),
  message: z.string(),
});
export type DockerfileIssue = z.infer<typeof DockerfileIssueSchema>;

/**
 * The linter's rules and their severities. Errors are what makes a build fail or leaks a secret
 * into every layer; warnings are hardening the image should have; infos are context.
 */
export const DockerfileRule = {
  /** error — an instruction Docker does not know: the build stops there. */
  UNKNOWN_INSTRUCTION: 'error',
  /** error — an instruction without its arguments (`FROM` alone, `USER` alone). */
  MISSING_ARGUMENTS: 'error',
  /** error — no `FROM`, or an instruction other than `ARG` before the first one. */
  MISSING_FROM: 'error',
  /** error — `ENV`/`ARG` named like a secret with a literal value: it is baked into the image history. */
  SECRET_IN_ENV: 'error',
  /** error — `SHELL` must be a JSON array; warning for `CMD`/`ENTRYPOINT`/`RUN`, which silently fall back to shell form. */
  INVALID_JSON_FORM: 'error',
  /** error — `EXPOSE` of something that is not a port, range or variable. */
  INVALID_PORT: 'error',
  /** warning — `FROM image:latest` or an untagged, undigested image: builds are not reproducible. */
  NO_LATEST_TAG: 'warning',
  /** warning — the final stage has no `USER`, or switches back to root. */
  RUNS_AS_ROOT: 'warning',
  /** warning — the final stage has no `HEALTHCHECK` (info when the image cannot run one: distroless, scratch). */
  MISSING_HEALTHCHECK: 'warning',
  /** warning — `ADD` of a local file or directory: `COPY` does that without archive/URL magic. */
  ADD_INSTEAD_OF_COPY: 'warning',
  /** info — `MAINTAINER` is deprecated in favour of `LABEL org.opencontainers.image.authors`. */
  DEPRECATED_MAINTAINER: 'info',
} as const;
export type DockerfileRule = keyof typeof DockerfileRule;
