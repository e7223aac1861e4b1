import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layers point one way (shared/DESIGN.md "Layout"): errors -> definition -> actors -> machines ->
// runtime -> features -> cli. Each folder of src/ lists what it may import besides itself; a
// lower layer that needs a service declares an interface and the higher one passes it in.
const CORE = ['errors', 'definition', 'actors', 'machines', 'runtime'];
const MAY_IMPORT = {
  errors: [],
  definition: ['errors'],
  actors: ['errors', 'definition'],
  machines: ['errors', 'definition', 'actors'],
  runtime: ['errors', 'definition', 'actors', 'machines'],
  visualize: CORE,
  tools: CORE,
  testing: CORE,
  inspect: [...CORE, 'visualize'],
  conversation: [...CORE, 'tools'],
  mcp: [...CORE, 'conversation', 'tools'],
  cli: [...CORE, 'visualize', 'tools', 'testing', 'inspect', 'conversation', 'mcp'],
};
const FOLDERS = Object.keys(MAY_IMPORT);

/** One block per folder and depth, so `../` counts are exact: `src/runtime/store/x.ts` leaves src/runtime with `../../`. */
function layerRules() {
  const blocks = [];
  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    const banned = FOLDERS.filter((other) => other !== folder && !allowed.includes(other));
    for (let depth = 1; depth <= 4; depth++) {
      const up = '\\.\\./'.repeat(depth);
      // The core entry src/index.ts is above every folder: nothing inside src/ imports it.
      const regex = `^${up}(${[...banned, 'index\\.js$'].join('|')})(/|\\.js$|$)`;
      const message = `${folder}/ may import only ${allowed.join(', ') || 'nothing outside itself'} (layers point one way, shared/DESIGN.md "Layout")`;
      blocks.push({
        files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: {
          'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
          'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`, message }],
        },
      });
    }
  }
  // The core entry `orchkit` loads no feature: those are the sub-entries.
  const features = FOLDERS.filter((folder) => !CORE.includes(folder));
  blocks.push({
    files: ['src/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: `^\\./(${features.join('|')})/`, message: 'the core entry exports no feature; add it to its sub-entry (orchkit/mcp, orchkit/inspect, ...)' }] }] },
  });
  return blocks;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'coverage/**', 'examples/apps/**', 'test/fixtures/repos/**', 'visualizations/**', '.orchkit/**', 'tmp-*', 'vitest.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Tools are async by contract; many return at once without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['src/cli/**', 'bench/**', 'scripts/**'], rules: { 'no-console': 'off' } },
  // vitest's asymmetric matchers (expect.stringContaining, ...) are typed `any`.
  { files: ['test/**'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  ...layerRules(),
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
