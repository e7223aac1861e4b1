import { buildImage } from './buildImage.js';
import { deployApplication } from './deployApplication.js';
import { generateManifests } from './generateManifests.js';
import { prepareCluster } from './prepareCluster.js';
import { pushImage } from './pushImage.js';
import { resolveBaseImages } from './resolveBaseImages.js';
import { scanImageSecurity } from './scanImageSecurity.js';
import { tagImage } from './tagImage.js';
import { validateCredentials } from './validateCredentials.js';
import { validateManifests } from './validateManifests.js';
import { verifyDeployment } from './verifyDeployment.js';

/**
 * The deployment half of the containerization pack: build, tag, push and scan images, generate
 * and validate Kubernetes manifests, check registry credentials, resolve base images, prepare a
 * cluster, deploy to it and verify the deployment.
 *
 * @example
 * const runtime = createRuntime({ tools: [...deploymentTools] });
 */
export const deploymentTools = [buildImage, pushImage, scanImageSecurity, generateManifests, validateManifests, validateCredentials, tagImage, resolveBaseImages, prepareCluster, deployApplication, verifyDeployment] as const;
