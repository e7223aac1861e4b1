import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { RepositoryAnalysis } from './RepositoryAnalysisSchema.js';
import { walkFiles } from './walkFiles.js';

const DOCKERFILE = /^(?:Dockerfile|Containerfile)(?:\..+)?$|\.Dockerfile$/i;
const YAML_FILE = /\.ya?ml$/i;
const MAX_MANIFEST_BYTES = 512 * 1024;

/** Dockerfiles and Kubernetes manifests already in a repository. */
export type DeploymentFiles = Pick<RepositoryAnalysis, 'dockerfiles' | 'kubernetesManifests'>;

/**
 * Finds Dockerfiles (`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, `Containerfile`) and YAML
 * files declaring Kubernetes objects (documents with both `apiVersion` and `kind`), up to five
 * directories deep. Helm templates, which are not YAML until rendered, are read line by line.
 *
 * @example
 * const { dockerfiles, kubernetesManifests } = await findDeploymentFiles(root, signal);
 */
export async function findDeploymentFiles(root: string, signal: AbortSignal): Promise<DeploymentFiles> {
  const found: DeploymentFiles = { dockerfiles: [], kubernetesManifests: [] };
  for await (const file of walkFiles(root, { signal, maxDepth: 5 })) {
    const name = file.relative.slice(file.relative.lastIndexOf('/') + 1);
    if (DOCKERFILE.test(name)) found.dockerfiles.push(file.relative);
    if (!YAML_FILE.test(name) || (await stat(file.absolute)).size > MAX_MANIFEST_BYTES) continue;
    const kinds = kubernetesKinds(await readFile(file.absolute, { encoding: 'utf8', signal }));
    if (kinds.length > 0) found.kubernetesManifests.push({ file: file.relative, kinds });
  }
  return found;
}

/** The `kind`s of the Kubernetes objects in a YAML text, in order, without repeats. */
export function kubernetesKinds(text: string): string[] {
  const kinds: string[] = [];
  const documents = parseAllDocuments(text);
  const parsed = Array.isArray(documents) && documents.every((document) => document.errors.length === 0);
  if (parsed) {
    for (const document of documents) {
      // Only the two top-level keys are read: converting the whole document would stringify
      // template keys such as `{{ .Values.name }}` with a process warning.
      const apiVersion: unknown = document.get('apiVersion');
      const kind: unknown = document.get('kind');
      if (typeof apiVersion === 'string' && typeof kind === 'string') kinds.push(kind);
    }
  } else {
    for (const document of text.split(/^---.*$/m)) {
      const kind = /^kind:\s*["']?(\w+)/m.exec(document)?.[1];
      if (kind !== undefined && /^apiVersion:/m.test(document)) kinds.push(kind);
    }
  }
  return [...new Set(kinds)];
}
