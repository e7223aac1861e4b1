import { resolve } from 'node:path';
import { resolveInWorkspace } from './resolveInWorkspace.js';

/**
 * The absolute path a tool should use for a path it was given: inside `root` when the runtime
 * (or the run) has a workspace root — relative to it, and `PATH_OUTSIDE_WORKSPACE` for `..`,
 * absolute paths or symbolic links that leave it — else resolved against the working directory.
 * What `ctx.resolvePath` calls.
 *
 * @throws ToolError `PATH_OUTSIDE_WORKSPACE` (type `security_error`, not retryable)
 * @example
 * await confinePath('/srv/ws', 'app', 'analyze_repository'); // '/srv/ws/app'
 * await confinePath('/srv/ws', '../../etc', 'analyze_repository'); // throws PATH_OUTSIDE_WORKSPACE
 */
export function confinePath(root: string | undefined, path: string, tool: string, argument = 'path'): Promise<string> {
  return root === undefined ? Promise.resolve(resolve(path)) : resolveInWorkspace(root, path, tool, argument);
}
