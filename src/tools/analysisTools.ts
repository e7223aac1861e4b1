import type { AnyTool } from '../actors/defineTool.js';
import { analyzeRepository } from './analyzeRepository.js';
import { fixDockerfile } from './fixDockerfile.js';
import { generateDockerfile } from './generateDockerfile.js';
import { generateRemediation } from './generateRemediation.js';
import { scanSecrets } from './scanSecrets.js';
import { validateDockerfile } from './validateDockerfile.js';

/**
 * The first half of the containerization tool pack: repository analysis, Dockerfile generation
 * and validation, secret scanning, and the remediation tool failures are routed to.
 *
 * @example
 * const runtime = createRuntime({ tools: [...analysisTools] });
 */
export const analysisTools: readonly AnyTool[] = [analyzeRepository, generateDockerfile, validateDockerfile, scanSecrets, generateRemediation, fixDockerfile];
