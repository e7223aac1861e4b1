import { healthOf } from '../analysis/healthCheckFor.js';
import type { AppAnalysis, HealthCheck } from '../analysis/RepositoryAnalysisSchema.js';

/** The numeric user and group every generated image runs as, and every generated Deployment sets. */
export const APP_UID = 10001;
export const APP_GID = 10001;

/** Requests and limits by stack: the JVM needs more headroom than a Go binary. */
const RESOURCES = {
  jvm: { cpuRequest: '250m', memoryRequest: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
  managed: { cpuRequest: '100m', memoryRequest: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
  native: { cpuRequest: '50m', memoryRequest: '64Mi', cpuLimit: '500m', memoryLimit: '256Mi' },
} as const;

/** Resource requests and limits as Kubernetes quantities. */
export interface Resources {
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
}

/** How an analysed app runs in a container: the facts the Dockerfile and the manifests must agree on. */
export interface DeploymentProfile {
  uid: number;
  gid: number;
  port: number | undefined;
  health: HealthCheck;
  /** Seconds before the first probe: a JVM or an application server starts slowly. */
  startSeconds: number;
  readOnlyRootFilesystem: boolean;
  /** Directories mounted as emptyDir when the root is read-only. */
  writablePaths: string[];
  resources: Resources;
  /** Why the less obvious choices were made. */
  reasons: string[];
}

/**
 * The one place that decides user, port, probe, root filesystem and resources for an app, so
 * that `generate_dockerfile` and `generate_manifests` given the same analysis agree.
 *
 * @example
 * deploymentProfile(analysis).uid; // 10001
 */
export function deploymentProfile(analysis: Pick<AppAnalysis, 'language' | 'framework' | 'port' | 'healthCheckPath' | 'healthCheck' | 'server'>): DeploymentProfile {
  const reasons: string[] = [];
  const jvm = analysis.language === 'java';
  const native = analysis.language === 'go' || analysis.language === 'rust';
  let readOnlyRootFilesystem = true;
  if (analysis.server !== undefined) {
    readOnlyRootFilesystem = false;
    reasons.push(`${analysis.server} writes into its own directories (work, logs, deployments), so the root filesystem stays writable`);
  } else if (analysis.framework === 'next') {
    readOnlyRootFilesystem = false;
    reasons.push('Next.js writes its cache under .next, so the root filesystem stays writable');
  }
  return {
    uid: APP_UID,
    gid: APP_GID,
    port: analysis.port,
    health: healthOf(analysis),
    startSeconds: jvm ? 60 : analysis.language === 'dotnet' ? 20 : 10,
    readOnlyRootFilesystem,
    writablePaths: readOnlyRootFilesystem ? ['/tmp'] : [],
    resources: { ...(jvm ? RESOURCES.jvm : native ? RESOURCES.native : RESOURCES.managed) },
    reasons,
  };
}
