import type { HealthCheck } from '../analysis/RepositoryAnalysisSchema.js';
import { flavourOf } from './baseImages.js';

/** Options shared by every generated HEALTHCHECK. */
const TIMING = '--interval=30s --timeout=5s --retries=3';

/** What {@link renderHealthcheck} needs. */
export interface HealthcheckOptions {
  image: string;
  port: number | undefined;
  health: HealthCheck;
  startPeriodSeconds?: number;
}

/**
 * The HEALTHCHECK lines for a final stage on `image`, following the analysis' health check: an
 * HTTP GET of `http://127.0.0.1:<port><path>` or a TCP connect to the port, run with a tool the
 * image already has (busybox `wget`/`nc` on Alpine, the interpreter itself on Node and Python
 * images). An app without a port, and images without a probe tool (distroless, most Debian
 * based ones), get a comment instead, pointing at orchestrator probes.
 *
 * @example
 * renderHealthcheck({ image: 'node:22.12.0-alpine3.21', port: 3000, health: { type: 'http', path: '/health', reason: '' } });
 */
export function renderHealthcheck(options: HealthcheckOptions): string[] {
  const { health, port } = options;
  if (health.type === 'none' || port === undefined) return ['# No HEALTHCHECK: the app listens on no port, so there is nothing to probe.'];
  const timing = `${TIMING} --start-period=${options.startPeriodSeconds ?? 15}s`;
  const flavour = flavourOf(options.image);
  const name = options.image.replace(/^.*\//, '');
  const target = health.type === 'http' ? `http://127.0.0.1:${port}${health.path ?? '/'}` : `TCP port ${port}`;
  if (flavour === 'distroless') {
    return [
      '# No HEALTHCHECK: a distroless image has no shell, wget or curl to run a probe with.',
      `# Probe ${target} from the orchestrator instead (Kubernetes livenessProbe/readinessProbe).`,
    ];
  }
  if (name.startsWith('node:')) {
    return health.type === 'http'
      ? [`HEALTHCHECK ${timing} CMD ["node", "-e", "require('http').get('${target}', (r) => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"]`]
      : [`HEALTHCHECK ${timing} CMD ["node", "-e", "require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"]`];
  }
  if (name.startsWith('python:')) {
    return health.type === 'http'
      ? [`HEALTHCHECK ${timing} CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('${target}', timeout=4)"]`]
      : [`HEALTHCHECK ${timing} CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', ${port}), timeout=4)"]`];
  }
  if (flavour === 'alpine') {
    return health.type === 'http' ? [`HEALTHCHECK ${timing} CMD wget -q -O /dev/null ${target} || exit 1`] : [`HEALTHCHECK ${timing} CMD nc -z 127.0.0.1 ${port} || exit 1`];
  }
  return [`# No HEALTHCHECK: ${options.image} has no known probe tool (no curl or wget); probe ${target} from the orchestrator.`];
}
