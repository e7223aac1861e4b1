import type { AppAnalysis } from '../analysis/RepositoryAnalysisSchema.js';
import type { DeploymentProfile } from '../deployment/deploymentProfile.js';
import type { BaseImages } from './baseImages.js';

/** What a language's Dockerfile template is given. */
export interface RenderContext {
  analysis: AppAnalysis;
  images: BaseImages;
  profile: DeploymentProfile;
}

/** A language's Dockerfile template: the lines after the header. */
export type DockerfileTemplate = (context: RenderContext) => string[];
