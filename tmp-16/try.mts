import { analyzeRepository } from '/work/wt-16/src/tools/analyzeRepository.js';
import { generateDockerfile } from '/work/wt-16/src/tools/generateDockerfile.js';
import { lintDockerfile } from '/work/wt-16/src/tools/dockerfile/lintDockerfile.js';
import { createTestToolContext } from '/work/wt-16/test/support/toolContext.js';
for (const name of process.argv.slice(2)) {
  const ctx = createTestToolContext();
  const a = await analyzeRepository.run(analyzeRepository.input.parse({ path: name }), ctx);
  const g = await generateDockerfile.run(generateDockerfile.input.parse({ analysis: a }), ctx);
  console.log(JSON.stringify({ ...a, modules: a.modules.map((m) => m.module) }, null, 1).slice(0, 1500));
  console.log(g.dockerfile);
  console.log(lintDockerfile(g.dockerfile, { asOf: '2026-12-01' }).issues);
}
