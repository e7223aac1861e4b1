import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';

/**
 * Resolves a path a caller gave (an MCP client, a workflow input) against a workspace root, and refuses one that
 * leaves it: an absolute path elsewhere, a `..` that climbs out, or a symbolic link inside that
 * points out. A path that does not exist yet is checked through its nearest existing parent.
 *
 * @throws ToolError `PATH_OUTSIDE_WORKSPACE` (type `security_error`) for a path outside `root`.
 * @example
 * const file = await resolveInWorkspace('/srv/repos', 'examples/containerize.yaml', 'execute_workflow');
 */
export async function resolveInWorkspace(root: string, path: string, tool: string, argument = 'path'): Promise<string> {
  const base = await realpath(resolve(root)).catch(() => resolve(root));
  const outside = (target: string): boolean => {
    const rel = relative(base, target);
    return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  };
  const target = resolve(base, path);
  if (outside(target) || outside(await realTarget(target))) {
    throw new ToolError({
      code: 'PATH_OUTSIDE_WORKSPACE', type: ErrorType.security, retryable: false, tool,
      message: `${argument} "${path.slice(0, 200)}" is outside the workspace: give a path relative to the workspace root, without .. that leaves it`,
      details: { path: argument, hint: 'tools read and write files only under the workspace root (createRuntime({ workspaceRoot }); orchkit mcp --workspace <dir>, the working directory by default)' },
    });
  }
  return target;
}

/** The real path of `target`, or of its nearest existing ancestor joined with the rest. */
async function realTarget(target: string): Promise<string> {
  const real = await realpath(target).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = resolve(target, '..');
  if (parent === target) return target;
  return resolve(await realTarget(parent), relative(parent, target));
}
