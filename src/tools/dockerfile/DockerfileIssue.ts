import { z } from 'zod';

/** One finding of the Dockerfile linter. */
export const DockerfileIssueSchema = z.object({
  /** Rule id, one of {@link DockerfileRule}. */
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  /** 1-based line of the instruction (or part of it) at fault. */
  line: z.number().int().min(1),
  message: z.string(),
  /** How to fix it. */
  fix: z.string(),
});
export type DockerfileIssue = z.infer<typeof DockerfileIssueSchema>;

/** A rule of the Dockerfile linter: its default severity and the usual fix. */
export interface RuleSpec {
  severity: 'error' | 'warning' | 'info';
  fix: string;
}

/**
 * The linter's rules. Errors are what makes a build fail, a container unable to start or
 * healthy, or leaks a secret into every layer; warnings are hardening and reproducibility the
 * image should have; infos are context. A policy may turn any of them off or to another severity.
 */
export const DockerfileRule = {
  UNKNOWN_INSTRUCTION: { severity: 'error', fix: 'correct the instruction name (FROM, RUN, COPY, ...)' },
  MISSING_ARGUMENTS: { severity: 'error', fix: 'give the instruction its arguments' },
  MISSING_FROM: { severity: 'error', fix: 'start the Dockerfile with FROM (only ARG may come before it)' },
  SECRET_IN_ENV: { severity: 'error', fix: 'pass the secret at run time (a Kubernetes Secret, docker run -e) or mount it with RUN --mount=type=secret' },
  INVALID_JSON_FORM: { severity: 'error', fix: 'write a JSON array of double-quoted strings: ["cmd", "arg"]' },
  INVALID_PORT: { severity: 'error', fix: 'EXPOSE a port number (1-65535), a range or a variable' },
  STAGE_SELF_REFERENCE: { severity: 'error', fix: 'copy from an earlier stage (or an image), not from the stage itself or a later one' },
  STAGE_UNKNOWN: { severity: 'warning', fix: 'name an earlier stage (FROM ... AS name) or a full image reference with a tag' },
  WORLD_WRITABLE: { severity: 'error', fix: 'chown the few paths the app writes to its user (COPY --chown, chown 10001:10001 dir) instead of chmod 777' },
  PACKAGE_NO_CONFIRM: { severity: 'error', fix: 'add -y (apt-get/yum/dnf install -y): a build has no terminal to answer the prompt' },
  HEALTHCHECK_TOOL_MISSING: { severity: 'error', fix: 'probe with a tool the image has (busybox wget on Alpine, the app runtime itself) or install it in the final stage' },
  REGISTRY_NOT_ALLOWED: { severity: 'error', fix: 'use a base image from an allowed registry (see the policy allowedRegistries)' },
  NO_LATEST_TAG: { severity: 'warning', fix: 'pin a full version tag (node:22.12.0-alpine3.21) or a digest' },
  TAG_FLOATING: { severity: 'warning', fix: 'pin the full version with its patch number, or a digest' },
  TAG_END_OF_LIFE: { severity: 'warning', fix: 'move to a supported release line' },
  DEPRECATED_IMAGE: { severity: 'warning', fix: 'move to the maintained image named in the message' },
  RUNS_AS_ROOT: { severity: 'warning', fix: 'add a numeric non-root USER (USER 10001:10001) to the final stage' },
  USER_NOT_NUMERIC: { severity: 'warning', fix: 'use the numeric uid:gid (USER 10001:10001) so Kubernetes runAsNonRoot can verify it, or set runAsUser' },
  MISSING_HEALTHCHECK: { severity: 'warning', fix: 'add a HEALTHCHECK that probes the app, or rely on orchestrator probes' },
  PACKAGE_UPGRADE: { severity: 'warning', fix: 'pin a newer base image instead of upgrading packages in a layer (yum/apt-get/apk upgrade makes builds unreproducible)' },
  NPM_INSTALL_WITHOUT_LOCKFILE: { severity: 'warning', fix: 'commit package-lock.json, COPY it, and install with npm ci' },
  REMOTE_SCRIPT_PIPED: { severity: 'warning', fix: 'download the script, check its checksum, then run it' },
  ADD_INSTEAD_OF_COPY: { severity: 'warning', fix: 'use COPY for local files' },
  PACKAGE_CACHE_KEPT: { severity: 'info', fix: 'clean in the same RUN: rm -rf /var/lib/apt/lists/*, apk add --no-cache, yum clean all' },
  DEPRECATED_MAINTAINER: { severity: 'info', fix: 'use LABEL org.opencontainers.image.authors="..."' },
} as const satisfies Record<string, RuleSpec>;
export type DockerfileRule = keyof typeof DockerfileRule;
