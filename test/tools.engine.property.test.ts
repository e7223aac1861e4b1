// Invariants of the engine and registry helpers, for all inputs fast-check makes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kubectlArgs } from '../src/tools/cluster/runKubectl.js';
import { buildStepFraction } from '../src/tools/engine/buildFailure.js';
import { targetReference } from '../src/tools/pushImage.js';
import { isLoopbackRegistry } from '../src/tools/registry/registryClient.js';
import { registryHost } from '../src/tools/registry/registryCredentials.js';

const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const host = fc.oneof(
  fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), segment).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 65535 })).map(([n, port]) => `127.0.0.${n}:${port}`),
);
const tag = fc.tuple(segment, segment).map(([name, version]) => `${name}:${version}`);

describe('engine helpers, for all inputs', () => {
  it('targetReference prefixes the registry once: applying it twice changes nothing, and the tag stays last', () => {
    fc.assert(fc.property(tag, fc.option(fc.tuple(host, fc.option(segment, { nil: undefined })).map(([h, path]) => (path ? `${h}/${path}` : h)), { nil: undefined }), (image, registry) => {
      const once = targetReference(image, registry);
      expect(targetReference(once, registry)).toBe(once);
      expect(once.endsWith(image)).toBe(true);
      if (registry) expect(once.startsWith(`${registry}/`)).toBe(true);
    }));
  });

  it('registryHost is idempotent and drops scheme and path; 127.0.0.0/8 hosts are loopback', () => {
    fc.assert(fc.property(host, fc.constantFrom('', 'http://', 'https://'), fc.constantFrom('', '/', '/v2/', '/team/app'), (h, scheme, path) => {
      const normalized = registryHost(`${scheme}${h}${path}`);
      expect(normalized).toBe(h);
      expect(registryHost(normalized)).toBe(normalized);
      expect(isLoopbackRegistry(normalized)).toBe(h.startsWith('127.'));
    }));
  });

  it('buildStepFraction of step n of m is (n-1)/m, in [0, 1), for every engine format', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.constantFrom('podman', 'legacy', 'buildkit'), (m, k, format) => {
      const n = (k % m) + 1;
      const line = format === 'podman' ? `STEP ${n}/${m}: RUN x` : format === 'legacy' ? `Step ${n}/${m} : RUN x` : `#7 [build ${n}/${m}] RUN x`;
      const fraction = buildStepFraction(line);
      expect(fraction).toBeCloseTo((n - 1) / m, 10);
      expect(fraction).toBeGreaterThanOrEqual(0);
      expect(fraction).toBeLessThan(1);
    }));
  });

  it('kubectlArgs keeps the tool arguments in order, after the target flags', () => {
    fc.assert(fc.property(fc.array(segment, { maxLength: 8 }), fc.option(segment, { nil: undefined }), fc.option(segment, { nil: undefined }), (args, context, kubeconfig) => {
      const full = kubectlArgs(args, { context, kubeconfig });
      expect(full.slice(full.length - args.length)).toEqual(args);
      expect(full.includes('--context')).toBe(context !== undefined);
      expect(full.includes('--kubeconfig')).toBe(kubeconfig !== undefined);
    }));
  });
});
