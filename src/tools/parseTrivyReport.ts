import { z } from 'zod';

/** Trivy severities, most severe first. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
/** One trivy severity. */
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** One finding, flattened from trivy's per-target results. */
export const VulnerabilitySchema = z.object({
  id: z.string(),
  pkg: z.string(),
  installed: z.string(),
  fixed: z.string().optional(),
  severity: SeveritySchema,
  title: z.string().optional(),
  /** The scanned target it was found in, e.g. `app:1 (alpine 3.19.1)` or `app/package-lock.json`. */
  target: z.string(),
  url: z.string().optional(),
});
export type Vulnerability = z.infer<typeof VulnerabilitySchema>;

/** What a scan found: findings ordered most severe first, and a count per severity. */
export interface TrivyScan {
  artifact: string | undefined;
  vulnerabilities: Vulnerability[];
  counts: Record<Severity, number>;
}

// Only the fields used are declared; trivy adds fields between versions and zod drops the rest.
const TrivyVulnerability = z.object({
  VulnerabilityID: z.string(),
  PkgName: z.string(),
  InstalledVersion: z.string().default(''),
  FixedVersion: z.string().optional(),
  Severity: z.string().default('UNKNOWN'),
  Title: z.string().optional(),
  PrimaryURL: z.string().optional(),
});
const TrivyReport = z.object({
  ArtifactName: z.string().optional(),
  Results: z.array(z.object({
    Target: z.string(),
    Vulnerabilities: z.array(TrivyVulnerability).nullish(),
  })).nullish(),
});

/** How severe a severity is: CRITICAL is 4, UNKNOWN is 0. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity);
}

/**
 * Reads the report of `trivy image --format json` (schema version 2), as text or already
 * parsed. Returns a result value instead of throwing: a report that does not parse is an
 * expected failure.
 *
 * @example
 * const parsed = parseTrivyReport(stdout);
 * if (parsed.success && parsed.data.counts.CRITICAL > 0) logger.warn(parsed.data.vulnerabilities[0]);
 */
export function parseTrivyReport(report: unknown): { success: true; data: TrivyScan } | { success: false; error: string } {
  let json: unknown = report;
  if (typeof report === 'string') {
    try {
      json = JSON.parse(report);
    } catch (error) {
      return { success: false, error: `trivy output is not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const parsed = TrivyReport.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { success: false, error: `trivy report has an unexpected shape at ${issue?.path.join('.') ?? '<root>'}: ${issue?.message ?? 'invalid'}` };
  }
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  const vulnerabilities: Vulnerability[] = [];
  for (const result of parsed.data.Results ?? []) {
    for (const found of result.Vulnerabilities ?? []) {
      const severity = toSeverity(found.Severity);
      counts[severity] += 1;
      const vulnerability: Vulnerability = { id: found.VulnerabilityID, pkg: found.PkgName, installed: found.InstalledVersion, severity, target: result.Target };
      if (found.FixedVersion) vulnerability.fixed = found.FixedVersion;
      if (found.Title) vulnerability.title = found.Title;
      if (found.PrimaryURL) vulnerability.url = found.PrimaryURL;
      vulnerabilities.push(vulnerability);
    }
  }
  vulnerabilities.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id) || a.pkg.localeCompare(b.pkg));
  return { success: true, data: { artifact: parsed.data.ArtifactName, vulnerabilities, counts } };
}

function toSeverity(value: string): Severity {
  const upper = value.toUpperCase();
  return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : 'UNKNOWN';
}
