import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { walkFiles } from './analysis/walkFiles.js';
import { isBinary } from './secrets/isBinary.js';
import { scanText } from './secrets/scanText.js';
import { SECRET_RULES } from './secrets/secretRules.js';
import { toolFailure } from './toolFailure.js';

const errors = {
  REPO_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'the path is not a readable directory' },
} as const;

/** Generated files full of hashes: the specific rules still run there, the entropy rule does not. */
const HASH_FILES = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|Pipfile\.lock|go\.sum|Cargo\.lock|composer\.lock|gradle\.lockfile)$|\.(?:min\.js|map|lock)$/;
const RULES_WITHOUT_ENTROPY = SECRET_RULES.filter((rule) => rule.id !== 'HIGH_ENTROPY_STRING');
const MAX_FINDINGS = 1000;

const FindingSchema = z.object({
  /** Relative to the scanned directory, `/`-separated. */
  file: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  rule: z.string(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  /** The line around the finding, with every secret on it masked. */
  preview: z.string(),
});

/**
 * `scan_secrets`: walks a repository (skipping `node_modules`, `.git`, `vendor`, virtualenvs,
 * binary files and files over `maxFileBytes`) and reports hard-coded secrets: AWS access keys,
 * GitHub, Slack and JSON Web Tokens, private-key PEM headers, `password = "..."` assignments,
 * unquoted credentials in configuration files (`db.password=...` in `.properties`, `password: ...`
 * in YAML, `.env`, INI, TOML) and high-entropy strings assigned to names. Findings are a report, not a failure; previews never
 * hold a secret (at most its first 4 characters survive, e.g. `AKIA****************`).
 *
 * Errors: `REPO_NOT_FOUND` (not_found, non-retryable).
 *
 * @example
 * const { findings } = await ctx.request('scan_secrets', { path: './examples/apps/node-with-dockerfile' });
 */
export const scanSecrets = defineTool({
  name: 'scan_secrets',
  description: 'Finds hard-coded secrets (cloud keys, tokens, private keys, passwords, high-entropy strings) in a repository; previews are masked',
  input: z.object({
    path: z.string().min(1),
    /** Larger files are skipped; 1 MiB by default. */
    maxFileBytes: z.number().int().positive().default(1024 * 1024),
  }),
  output: z.object({
    findings: z.array(FindingSchema),
    filesScanned: z.number().int().nonnegative(),
    /** Binary or oversized files passed over. */
    filesSkipped: z.number().int().nonnegative(),
    /** True when the report stopped at 1000 findings. */
    truncated: z.boolean(),
  }),
  errors,
  timeoutMs: 120_000,
  async run(input, ctx) {
    const root = await ctx.resolvePath(input.path);
    const info = await stat(root).catch(() => undefined);
    if (info?.isDirectory() !== true) throw toolFailure(errors, 'REPO_NOT_FOUND', `no directory at ${root}`, { path: root });

    const findings: z.infer<typeof FindingSchema>[] = [];
    let filesScanned = 0;
    let filesSkipped = 0;
    for await (const file of walkFiles(root, { signal: ctx.signal })) {
      const size = (await stat(file.absolute)).size;
      if (size > input.maxFileBytes || isBinary(file.relative)) {
        filesSkipped += 1;
        continue;
      }
      const content = await readFile(file.absolute, { signal: ctx.signal });
      if (isBinary(file.relative, content)) {
        filesSkipped += 1;
        continue;
      }
      filesScanned += 1;
      const rules = (HASH_FILES.test(file.relative) ? RULES_WITHOUT_ENTROPY : SECRET_RULES).filter((rule) => rule.files === undefined || rule.files.test(file.relative));
      for (const finding of scanText(content.toString('utf8'), rules)) findings.push({ file: file.relative, ...finding });
      if (findings.length >= MAX_FINDINGS) break;
    }
    const truncated = findings.length >= MAX_FINDINGS;
    ctx.logger.debug({ filesScanned, findings: findings.length }, 'secret scan done');
    return { findings: findings.slice(0, MAX_FINDINGS), filesScanned, filesSkipped, truncated };
  },
});
