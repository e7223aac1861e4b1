import { readFileSync } from 'node:fs';
import { DockerfileRule } from '../src/tools/dockerfile/DockerfileIssue.js';
import { lintDockerfile } from '../src/tools/dockerfile/lintDockerfile.js';
import { ManifestRule } from '../src/tools/manifests/ManifestIssue.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { createTestToolContext } from '../test/support/toolContext.js';
const ex = JSON.parse(readFileSync('test/fixtures/repos/rule-examples.json', 'utf8'));
const asOf = '2026-12-01';
const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
console.log('#### Dockerfile rules (`validate_dockerfile`)\n\n| rule | severity | example finding | fix |\n| --- | --- | --- | --- |');
for (const e of ex.dockerfile) {
  const i = lintDockerfile(e.dockerfile, { asOf, allowedRegistries: e.policy?.allowedRegistries }).issues.find((x) => x.rule === e.rule)!;
  console.log(`| \`${e.rule}\` | ${DockerfileRule[e.rule as keyof typeof DockerfileRule].severity} | line ${i.line}: ${esc(i.message)} | ${esc(i.fix)} |`);
}
console.log('\n#### Manifest rules (`validate_manifests`)\n\n| rule | severity | example finding | fix |\n| --- | --- | --- | --- |');
const seen = new Set<string>();
for (const e of ex.manifests) {
  if (seen.has(e.rule)) continue; seen.add(e.rule);
  let issues: any[];
  try { issues = (await validateManifests.run(validateManifests.input.parse({ yaml: e.yaml, policy: { asOf, ...e.policy } }), createTestToolContext())).issues; } catch (err: any) { issues = err.details.issues; }
  const i = issues.find((x) => x.rule === e.rule);
  console.log(`| \`${e.rule}\` | ${ManifestRule[e.rule as keyof typeof ManifestRule].severity} | document ${i.document}${i.path ? ` \`${i.path}\`` : ''}: ${esc(i.message)} | ${esc(i.fix)} |`);
}
