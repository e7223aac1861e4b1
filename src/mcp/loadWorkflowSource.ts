import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { parseWorkflowAsync } from '../definition/parseWorkflowAsync.js';
import { validateWorkflowAsync } from '../definition/validateWorkflowAsync.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { isWorkflowValidationError, WorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { resolveInWorkspace } from './resolveInWorkspace.js';

/** Where a workflow comes from: a file, or an inline definition (an object, or YAML/JSON text). */
export interface WorkflowSource {
  path?: string | undefined;
  definition?: string | Record<string, unknown> | undefined;
}

/** Options of {@link loadWorkflowSource}. */
export interface LoadWorkflowSourceOptions {
  tools: ToolRegistry;
  /** Directory of `list_workflows`, where names are looked up too. */
  workflowsDir: string;
  /** Files outside it are refused; the working directory by default. */
  workspaceRoot?: string;
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Reads and validates a workflow. A relative `path` is looked up in the workspace root, then in
 * `workflowsDir`, with or without its extension (so the names and ids `list_workflows` gives work
 * as they are: `containerize` finds `containerize.yaml`). A path outside the workspace is refused,
 * and so is a file that is not a workflow, without echoing what it holds.
 *
 * @throws WorkflowValidationError for a definition that does not parse or validate; ToolError
 *   `WORKFLOW_NOT_FOUND` for a path that is no file, `PATH_OUTSIDE_WORKSPACE` for one outside the
 *   workspace, `NOT_A_WORKFLOW` for a file that holds no workflow definition.
 * @example
 * const definition = await loadWorkflowSource({ path: 'containerize' }, { tools: runtime.tools, workflowsDir: 'examples' });
 */
export async function loadWorkflowSource(source: WorkflowSource, options: LoadWorkflowSourceOptions): Promise<WorkflowDefinition> {
  const { tools } = options;
  // In turns of the event loop: an inline definition of 10,000 steps does not hold the server.
  if (typeof source.definition === 'string') return parseWorkflowAsync(source.definition, { tools, source: 'definition' });
  if (source.definition !== undefined) {
    const result = await validateWorkflowAsync(source.definition, { tools });
    if (!result.success) throw new WorkflowValidationError(result.issues.map((issue) => ({ ...issue, path: issue.path ? `definition.${issue.path}` : 'definition' })));
    return result.definition;
  }
  const path = source.path ?? '';
  const file = await findFile(path, options);
  if (!EXTENSIONS.includes(extname(file))) throw notAWorkflow(path, `it is no ${EXTENSIONS.join('/')} file`);
  try {
    return await parseWorkflowAsync(await readFile(file, 'utf8'), { tools, source: file, format: extname(file) === '.json' ? 'json' : 'yaml' });
  } catch (error) {
    if (isWorkflowValidationError(error) && !looksLikeWorkflow(error)) throw notAWorkflow(path, 'it declares neither id nor steps');
    throw error;
  }
}

async function findFile(path: string, options: LoadWorkflowSourceOptions): Promise<string> {
  const root = options.workspaceRoot ?? process.cwd();
  const workflowsDir = resolve(root, options.workflowsDir);
  const inWorkspace = await resolveInWorkspace(root, path, 'execute_workflow');
  const inWorkflows = await resolveInWorkspace(workflowsDir, path, 'execute_workflow').catch(() => undefined);
  const bases = inWorkflows === undefined ? [inWorkspace] : [inWorkspace, inWorkflows];
  const candidates = bases.flatMap((base) => (EXTENSIONS.includes(extname(base)) ? [base] : [base, ...EXTENSIONS.map((ext) => `${base}${ext}`)]));
  for (const candidate of candidates) {
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isFile()) return candidate;
  }
  throw new ToolError({
    code: 'WORKFLOW_NOT_FOUND', type: ErrorType.notFound, retryable: false, tool: 'execute_workflow',
    message: `no workflow file at ${path} (looked in the workspace and in ${workflowsDir}, with and without .yaml, .yml, .json)`,
    details: { hint: 'list_workflows names the workflow files this server knows' },
  });
}

/** False when the text parsed but is no workflow at all: not a mapping, or one with neither `id` nor `steps`. */
function looksLikeWorkflow(error: WorkflowValidationError): boolean {
  if (error.code === 'WORKFLOW_PARSE_ERROR') return true;
  const missing = (key: string): boolean => error.issues.some((issue) => issue.path === key && issue.code === 'SCHEMA' && /required|undefined/i.test(issue.message));
  const notAnObject = error.issues.some((issue) => issue.path === '' && issue.code === 'SCHEMA');
  return !notAnObject && !(missing('id') && missing('steps'));
}

function notAWorkflow(path: string, why: string): ToolError {
  return new ToolError({
    code: 'NOT_A_WORKFLOW', type: ErrorType.validation, retryable: false, tool: 'execute_workflow',
    message: `${path.slice(0, 200)} is not a workflow definition: ${why}`,
    details: { hint: 'list_workflows names the workflow files this server knows' },
  });
}
