import type { AppAnalysis, HealthCheck } from './RepositoryAnalysisSchema.js';

/**
 * The probe of an app: HTTP on the route found (or the framework's known one), TCP on the port
 * when no route is known — probing `/` would be a guess that can restart a healthy pod forever —
 * and none without a port.
 *
 * @example
 * healthCheckFor(3000, undefined); // { type: 'tcp', reason: 'no health route found in the code; ...' }
 */
export function healthCheckFor(port: number | undefined, path: string | undefined, reason = 'route found in the code'): HealthCheck {
  if (port === undefined) return { type: 'none', reason: 'the app listens on no port, so there is nothing to probe' };
  if (path !== undefined) return { type: 'http', path, reason };
  return { type: 'tcp', reason: 'no health route found in the code; the probe connects to the port instead of guessing a path' };
}

/** The health check of an analysis, derived from its port and path when the analysis predates `healthCheck`. */
export function healthOf(analysis: Pick<AppAnalysis, 'port' | 'healthCheckPath' | 'healthCheck'>): HealthCheck {
  return analysis.healthCheck ?? healthCheckFor(analysis.port, analysis.healthCheckPath);
}
