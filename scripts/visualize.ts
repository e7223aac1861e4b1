// Regenerates visualizations/ from examples/*.yaml and the known machines. `npm run visualize`.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultTools } from '../src/cli/defaultTools.js';
import { loadVisualizationSources, renderVisualizations } from '../src/visualize/renderVisualizations.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'visualizations');

const sources = await loadVisualizationSources(root);
for (const reason of sources.skipped) console.warn(`skipped ${reason}`);
const files = await renderVisualizations(sources, { tools: defaultTools() });

await mkdir(target, { recursive: true });
for (const name of await readdir(target)) {
  if (!files.has(name) && /\.(md|svg)$/.test(name)) {
    await rm(join(target, name));
    console.log(`removed visualizations/${name}`);
  }
}
for (const [name, content] of files) await writeFile(join(target, name), content);
console.log(`wrote ${files.size} files to visualizations/ (${sources.workflows.length} workflows, ${sources.machines.length} machines)`);
