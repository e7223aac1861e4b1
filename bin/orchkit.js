#!/usr/bin/env node
import('../dist/cli/main.js').catch((error) => {
  process.stderr.write(`orchkit: cannot load the CLI (${error.message}). Run \`npm run build\` first.\n`);
  process.exit(1);
});
