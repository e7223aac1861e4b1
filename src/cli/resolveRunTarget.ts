import { access } from 'node:fs/promises';
import { extname } from 'node:path';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { isRuntimeError } from '../errors/RuntimeError.js';
import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import type { Runtime } from '../runtime/Runtime.js';
import { loadWorkflowFile } from './loadWorkflowFile.js';

/** What `orchkit run <file-or-id>` runs: a file's definition, a registered one, or why neither. */
export type RunTarget =
  | { definition: WorkflowDefinition; registered: boolean }
  | { notFound: { code: string; issues: readonly ValidationIssue[] } };

const FILE_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Picks what `orchkit run` runs: an existing file, else a registered id (`id` or `id@version`),
 * else a path-like argument (an extension, a separator) is read as a file, so its error is the
 * file's (`FILE_UNREADABLE`); a bare name that is no registered id is `WORKFLOW_NOT_FOUND`.
 *
 * @example
 * const target = await resolveRunTarget(runtime, 'build-image@2');
 */
export async function resolveRunTarget(runtime: Runtime, argument: string): Promise<RunTarget> {
  const exists = await access(argument).then(() => true, () => false);
  const pathLike = FILE_EXTENSIONS.has(extname(argument)) || /[/\\]/.test(argument);
  if (exists || pathLike) return { definition: await loadWorkflowFile(argument, runtime.tools), registered: false };
  const at = argument.lastIndexOf('@');
  const id = at > 0 ? argument.slice(0, at) : argument;
  const version = at > 0 ? argument.slice(at + 1) : undefined;
  try {
    return { definition: runtime.getWorkflow(id, version), registered: true };
  } catch (error) {
    if (!isRuntimeError(error)) throw error;
    const hint = runtime.workflows().length === 0 ? ' (no workflow is registered: give --workflows <dir>, or a file path)' : '';
    return { notFound: { code: error.code, issues: [{ code: error.code, path: error.path ?? '', message: `${error.message}${hint}` }] } };
  }
}
