import type { CallMeta } from '../actors/CallMeta.js';

/** The workspace root of each call: its run's own (`ExecuteOptions.workspaceRoot`), else the runtime's. */
export interface WorkspaceRoots {
  /** What `ctx.resolvePath` of a call confines to; `undefined`: nothing. */
  of(meta: CallMeta): string | undefined;
  /**
   * Gives execution `executionId` its own root (nothing when `root` is undefined) until the
   * returned release is called; entered before the run starts, so its first call sees it.
   */
  enter(executionId: string, root: string | undefined): () => void;
}

/**
 * The workspace roots of a runtime: `createRuntime({ workspaceRoot })` for every call, and a
 * root of one run or direct call (`executeWorkflow(def, { workspaceRoot })`, as the MCP server
 * passes its own), kept while that run lasts.
 *
 * @example
 * const roots = createWorkspaceRoots(options.workspaceRoot);
 * const release = roots.enter(executionId, executeOptions.workspaceRoot);
 * execution.result.then(release, release);
 */
export function createWorkspaceRoots(runtimeRoot: string | undefined): WorkspaceRoots {
  const perRun = new Map<string, string>();
  return {
    of: (meta) => perRun.get(meta.executionId) ?? runtimeRoot,
    enter(executionId, root) {
      if (root === undefined) return () => undefined;
      perRun.set(executionId, root);
      return () => void perRun.delete(executionId);
    },
  };
}
