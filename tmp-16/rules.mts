import { readFileSync } from 'node:fs';
import { lintDockerfile } from '../src/tools/dockerfile/lintDockerfile.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { createTestToolContext } from '../test/support/toolContext.js';
const ex = JSON.parse(readFileSync('test/fixtures/repos/rule-examples.json', 'utf8'));
const asOf = '2026-12-01';
console.log('clean df', lintDockerfile(ex.clean.dockerfile, { asOf }).issues.map((i) => i.rule));
const v = async (yaml: string, policy = {}) => { try { return (await validateManifests.run(validateManifests.input.parse({ yaml, policy: { asOf, ...policy } }), createTestToolContext())).issues; } catch (e: any) { return e.details.issues; } };
console.log('clean k8s', (await v(ex.clean.manifests)).map((i: any) => i.rule));
for (const e of ex.dockerfile) {
  const issues = lintDockerfile(e.dockerfile, { asOf, allowedRegistries: e.policy?.allowedRegistries }).issues;
  const hit = issues.find((i) => i.rule === e.rule);
  console.log(hit ? 'OK ' : 'MISS', e.rule, '|', issues.map((i) => i.rule).join(','), '|', hit?.message);
}
for (const e of ex.manifests) {
  const issues = await v(e.yaml, e.policy);
  const hit = issues.find((i: any) => i.rule === e.rule);
  console.log(hit ? 'OK ' : 'MISS', e.rule, '|', issues.map((i: any) => i.rule).join(','), '|', hit?.path, hit?.message);
}
