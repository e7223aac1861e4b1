// orchkit/tools: the containerization tool pack. Named exports only. Its tools spawn docker,
// trivy and kubectl, so it is a sub-entry: `import 'orchkit'` loads none of it.

export { analysisTools } from './analysisTools.js';
export { deploymentTools } from './deploymentTools.js';
export { analyzeRepository, REPOSITORY_ANALYSIS_CONTEXT, RepositoryAnalysisSchema } from './analyzeRepository.js';
export type { RepositoryAnalysis } from './analyzeRepository.js';
export { generateDockerfile } from './generateDockerfile.js';
export { validateDockerfile } from './validateDockerfile.js';
export { scanSecrets } from './scanSecrets.js';
export { generateRemediation } from './generateRemediation.js';
export { buildImage } from './buildImage.js';
export { pushImage } from './pushImage.js';
export { scanImageSecurity } from './scanImageSecurity.js';
export { generateManifests } from './generateManifests.js';
export { validateManifests } from './validateManifests.js';
export { validateCredentials } from './validateCredentials.js';
export { detectCapabilities } from './detectCapabilities.js';
export type { Capabilities, DetectCapabilitiesOptions } from './detectCapabilities.js';
export { tagImage } from './tagImage.js';
export { detectEngine, resolveEngine } from './engine/resolveEngine.js';
export type { EngineName, EngineProbe } from './engine/resolveEngine.js';
export { engineErrors } from './engine/engineErrors.js';
export { resolveBaseImages } from './resolveBaseImages.js';
export { prepareCluster } from './prepareCluster.js';
export { deployApplication } from './deployApplication.js';
export { verifyDeployment } from './verifyDeployment.js';
export { fixDockerfile } from './fixDockerfile.js';
