import type { AppAnalysis } from './RepositoryAnalysisSchema.js';
import type { RepoReader } from './RepoReader.js';

/** The language-specific part of a {@link RepositoryAnalysis}: the analysis of one app. */
export type LanguageDetection = AppAnalysis;

/** Recognises one language; resolves undefined when the directory is not written in it. */
export type LanguageDetector = (repo: RepoReader) => Promise<LanguageDetection | undefined>;
