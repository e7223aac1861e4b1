import { lintDockerfile } from '../src/tools/dockerfile/lintDockerfile.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { readFileSync } from 'node:fs';
import { createTestToolContext } from '../test/support/toolContext.js';
for (const f of ['Dockerfile', 'docker/legacy.Dockerfile', 'docker/windows.Dockerfile']) {
  console.log(f); for (const i of lintDockerfile(readFileSync(`test/fixtures/repos/insecure-node/${f}`, 'utf8'), { asOf: '2026-12-01' }).issues) console.log(`  ${i.line} ${i.severity} ${i.rule}: ${i.message}`);
}
const r = await validateManifests.run(validateManifests.input.parse({ path: 'test/fixtures/repos/insecure-node/k8s', policy: { asOf: '2026-12-01' } }), createTestToolContext()).catch((e) => e.details);
for (const i of r.issues) console.log(`  ${i.document} ${i.severity} ${i.rule} ${i.path}: ${i.message}`);
