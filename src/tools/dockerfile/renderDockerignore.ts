import type { Language, RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';

const COMMON = [
  '# Keep the build context small and free of secrets.',
  '.git',
  '.gitignore',
  '.dockerignore',
  'Dockerfile*',
  '**/.DS_Store',
  '.env',
  '.env.*',
  '**/*.pem',
  '**/*.key',
  '.vscode',
  '.idea',
];
const BY_LANGUAGE: Record<Language, string[]> = {
  node: ['**/node_modules', 'npm-debug.log*', 'yarn-error.log', 'coverage', '.next/cache', '.turbo'],
  python: ['__pycache__', '**/*.py[cod]', '.venv', 'venv', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '*.egg-info', 'htmlcov'],
  go: ['bin', '*.test', 'coverage.out'],
  java: ['target', 'build', 'dist', '.gradle', '*.iml', 'out'],
  dotnet: ['bin', 'obj', '*.user', '.vs'],
  rust: ['target'],
};

/**
 * `.dockerignore` content for an analysed repository: VCS data, local env files and keys,
 * dependency and build output directories that the image rebuilds itself (`dist` only when the
 * image runs the build, since some apps commit it).
 *
 * @example
 * renderDockerignore(analysis).includes('node_modules'); // true
 */
export function renderDockerignore(analysis: Pick<RepositoryAnalysis, 'language' | 'buildCommand'>): string {
  const built = analysis.language === 'node' && analysis.buildCommand !== undefined ? ['dist'] : [];
  return [...COMMON, '', ...BY_LANGUAGE[analysis.language], ...built].join('\n') + '\n';
}
