import { flavourOf } from './baseImages.js';

/** Options shared by every generated HEALTHCHECK. */
const TIMING = '--interval=30s --timeout=5s --retries=3';

/**
 * The HEALTHCHECK lines for a final stage on `image`, probing `http://127.0.0.1:<port><path>`
 * with a tool the image already has: busybox `wget` on Alpine, the interpreter itself on
 * Debian-based Node and Python images. Distroless and other images without a probe tool get a
 * comment instead, pointing at orchestrator probes.
 *
 * @example
 * renderHealthcheck({ image: 'node:22.12.0-alpine3.21', port: 3000, path: '/health' });
 */
export function renderHealthcheck(options: { image: string; port: number; path?: string | undefined; startPeriodSeconds?: number }): string[] {
  const url = `http://127.0.0.1:${options.port}${options.path ?? '/'}`;
  const timing = `${TIMING} --start-period=${options.startPeriodSeconds ?? 15}s`;
  const flavour = flavourOf(options.image);
  const name = options.image.replace(/^.*\//, '');
  if (flavour === 'distroless') {
    return [
      '# No HEALTHCHECK: a distroless image has no shell, wget or curl to run a probe with.',
      `# Probe ${url} from the orchestrator instead (Kubernetes livenessProbe/readinessProbe).`,
    ];
  }
  if (flavour === 'alpine') return [`HEALTHCHECK ${timing} CMD wget -q -O /dev/null ${url} || exit 1`];
  if (name.startsWith('python:')) {
    return [`HEALTHCHECK ${timing} CMD python -c "import urllib.request; urllib.request.urlopen('${url}', timeout=4)" || exit 1`];
  }
  if (name.startsWith('node:')) {
    return [`HEALTHCHECK ${timing} CMD node -e "require('http').get('${url}', (r) => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"`];
  }
  return [`# No HEALTHCHECK: ${options.image} has no known probe tool; probe ${url} from the orchestrator.`];
}
