import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isOrchkitError } from '../errors/OrchkitError.js';
import { isWorkflowValidationError, type ValidationIssue } from '../errors/WorkflowValidationError.js';
import type { Runtime } from '../runtime/Runtime.js';
import type { RegisteredWorkflow } from '../runtime/WorkflowRegistry.js';
import { loadWorkflowFile } from './loadWorkflowFile.js';

/** A workflow file of the directory that did not register, and why. */
export interface WorkflowFileProblem {
  file: string;
  code: string;
  issues: readonly ValidationIssue[];
}

/** What {@link registerWorkflowDir} registered and what it could not. */
export interface WorkflowDirRegistration {
  registered: RegisteredWorkflow[];
  problems: WorkflowFileProblem[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Registers every workflow file (`.yaml`, `.yml`, `.json`) directly in `dir`, in file-name order
 * (so of two files with one id, the later name's version is the latest). A file that does not
 * validate, or that clashes with a registered `(id, version)`, is reported and the rest still
 * register. A directory that cannot be read is one problem (`DIRECTORY_UNREADABLE`).
 *
 * @example
 * const { registered, problems } = await registerWorkflowDir(runtime, 'workflows');
 */
export async function registerWorkflowDir(runtime: Runtime, dir: string): Promise<WorkflowDirRegistration> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((entry) => entry.isFile() && EXTENSIONS.has(extname(entry.name))).map((entry) => entry.name).sort();
  } catch (error) {
    const message = `cannot read the workflow directory ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (error as Error).message}`;
    return { registered: [], problems: [{ file: dir, code: 'DIRECTORY_UNREADABLE', issues: [{ code: 'DIRECTORY_UNREADABLE', path: '', message }] }] };
  }
  const registered: RegisteredWorkflow[] = [];
  const problems: WorkflowFileProblem[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      registered.push(runtime.registerWorkflow(await loadWorkflowFile(file, runtime.tools)));
    } catch (error) {
      if (isWorkflowValidationError(error)) problems.push({ file, code: error.code, issues: error.issues });
      else if (isOrchkitError(error)) problems.push({ file, code: error.code, issues: [{ code: error.code, path: pathOf(error), message: error.message }] });
      else throw error;
    }
  }
  return { registered, problems };
}

function pathOf(error: unknown): string {
  const path = (error as { path?: unknown }).path;
  return typeof path === 'string' ? path : '';
}
