/** A generated Dockerfile with what a reviewer should know about it. */
export interface RenderedDockerfile {
  dockerfile: string;
  /** Image of the final stage. */
  baseImage: string;
  notes: string[];
}
