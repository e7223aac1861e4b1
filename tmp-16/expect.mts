import { readdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { analyzeRepository } from '../src/tools/analyzeRepository.js';
import { generateDockerfile } from '../src/tools/generateDockerfile.js';
import { generateManifests } from '../src/tools/generateManifests.js';
import { lintDockerfile } from '../src/tools/dockerfile/lintDockerfile.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { createTestToolContext } from '../test/support/toolContext.js';
const dir = 'test/fixtures/repos';
const ABOUT: Record<string, string> = JSON.parse(readFileSync('tmp-16/about.json', 'utf8'));
const uniq = (xs: string[]) => [...new Set(xs)].sort();
for (const name of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
  const ctx = createTestToolContext();
  const a = await analyzeRepository.run(analyzeRepository.input.parse({ path: `${dir}/${name}` }), ctx);
  const g = await generateDockerfile.run(generateDockerfile.input.parse({ analysis: a }), ctx);
  const m = await generateManifests.run(generateManifests.input.parse({ name: 'app', image: 'app:1.0.0', analysis: a }), ctx);
  const yaml = m.manifests.map((x) => x.yaml).join('---\n');
  const v = await validateManifests.run(validateManifests.input.parse({ yaml, policy: { asOf: '2026-12-01' } }), ctx);
  const pick = ['module', 'language', 'languageVersion', 'framework', 'packageManager', 'lockFile', 'entryPoint', 'port', 'portSource', 'healthCheckPath', 'server', 'servletApi', 'buildCommand', 'startCommand', 'artifact'] as const;
  const analysis: Record<string, unknown> = {};
  for (const key of pick) if ((a as any)[key] !== undefined) analysis[key] = (a as any)[key];
  analysis.healthCheck = { type: a.healthCheck?.type };
  const expected: Record<string, unknown> = {
    about: ABOUT[name] ?? '',
    analysis,
    ...(a.modules.length > 0 ? { modules: a.modules.map((x) => x.module) } : {}),
    guessed: a.guesses.map((x) => x.field),
    dockerfile: { baseImage: g.baseImage, rules: uniq(lintDockerfile(g.dockerfile, { asOf: '2026-12-01' }).issues.map((i) => i.rule)) },
    manifests: { kinds: m.manifests.map((x) => x.kind), rules: uniq(v.issues.map((i) => i.rule)) },
  };
  const file = `${dir}/${name}/expected.json`;
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (old.knownBad) expected.knownBad = old.knownBad;
  writeFileSync(file, JSON.stringify(expected, null, 2) + '\n');
}
