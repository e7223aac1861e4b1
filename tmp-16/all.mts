import { readdirSync } from 'node:fs';
import { analyzeRepository } from '../src/tools/analyzeRepository.js';
import { generateDockerfile } from '../src/tools/generateDockerfile.js';
import { generateManifests } from '../src/tools/generateManifests.js';
import { lintDockerfile } from '../src/tools/dockerfile/lintDockerfile.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { createTestToolContext } from '../test/support/toolContext.js';
const dir = 'test/fixtures/repos';
const only = process.argv[2];
for (const name of readdirSync(dir).filter((n) => !only || n === only)) {
  const ctx = createTestToolContext();
  try {
    const a = await analyzeRepository.run(analyzeRepository.input.parse({ path: `${dir}/${name}` }), ctx);
    const g = await generateDockerfile.run(generateDockerfile.input.parse({ analysis: a }), ctx);
    const m = await generateManifests.run(generateManifests.input.parse({ name: 'app', image: 'app:1.0.0', analysis: a }), ctx);
    const yaml = m.manifests.map((x) => x.yaml).join('---\n');
    const v = await validateManifests.run(validateManifests.input.parse({ yaml, policy: { asOf: '2026-12-01' } }), ctx).catch((e) => ({ issues: e.details.issues }));
    const { modules, path, dependencies, ...rest } = a;
    console.log('=====', name, JSON.stringify({ ...rest, modules: modules.map((x) => x.module) }));
    if (only) console.log(g.dockerfile, g.notes, yaml);
    console.log('  DF:', lintDockerfile(g.dockerfile, { asOf: '2026-12-01' }).issues.map((i) => `${i.severity}:${i.rule}:${i.line}`).join(' '));
    console.log('  K8S:', v.issues.map((i: any) => `${i.severity}:${i.rule}:${i.path}`).join(' '));
  } catch (e) { console.log('=====', name, 'FAILED', e); }
}
