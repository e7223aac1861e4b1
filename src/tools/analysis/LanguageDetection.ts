import type { RepositoryAnalysis } from './RepositoryAnalysisSchema.js';
import type { RepoReader } from './RepoReader.js';

/** The language-specific part of a {@link RepositoryAnalysis}. */
export type LanguageDetection = Omit<RepositoryAnalysis, 'path' | 'dockerfiles' | 'kubernetesManifests'>;

/** Recognises one language; resolves undefined when the repository is not written in it. */
export type LanguageDetector = (repo: RepoReader) => Promise<LanguageDetection | undefined>;
