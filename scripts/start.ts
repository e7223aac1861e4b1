// `npm start`: the main job on the embedded default. Copies a sample app to .orchkit/demo (so the
// repository stays clean), then runs examples/containerize.yaml on it with live progress.
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runCommand } from '../src/cli/runCommand.js';
import { createCliLogger } from '../src/cli/createCliLogger.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = process.argv[2] ?? 'node-express';
const target = path.join(root, '.orchkit', 'demo', app);
await rm(target, { recursive: true, force: true });
await cp(path.join(root, 'examples', 'apps', app), target, { recursive: true });
console.log(`containerizing a copy of examples/apps/${app} in ${path.relative(root, target)}\n`);
process.exitCode = await runCommand(path.join(root, 'examples', 'containerize.yaml'), {
  input: [`repoPath=${target}`, `appName=${app}`],
  logger: createCliLogger('warn'),
});
