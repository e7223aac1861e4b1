import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { parseWorkflow } from '../definition/parseWorkflow.js';
import { validateWorkflow } from '../definition/validateWorkflow.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';

/** Where a workflow comes from: a file, or an inline definition (an object, or YAML/JSON text). */
export interface WorkflowSource {
  path?: string | undefined;
  definition?: string | Record<string, unknown> | undefined;
}

/**
 * Reads and validates a workflow. A relative `path` is looked up in the working directory,
 * then in `workflowsDir` (so the names `list_workflows` gives work as they are).
 *
 * @throws WorkflowValidationError for a definition that does not parse or validate;
 *   ToolError `WORKFLOW_NOT_FOUND` for a path that is no file.
 * @example
 * const definition = await loadWorkflowSource({ path: 'containerize.yaml' }, { tools: runtime.tools, workflowsDir: 'examples' });
 */
export async function loadWorkflowSource(source: WorkflowSource, options: { tools: ToolRegistry; workflowsDir: string }): Promise<WorkflowDefinition> {
  const { tools } = options;
  if (typeof source.definition === 'string') return parseWorkflow(source.definition, { tools, source: 'definition' });
  if (source.definition !== undefined) {
    const result = validateWorkflow(source.definition, { tools });
    if (!result.success) throw new WorkflowValidationError(result.issues.map((issue) => ({ ...issue, path: issue.path ? `definition.${issue.path}` : 'definition' })));
    return result.definition;
  }
  const file = await findFile(source.path ?? '', options.workflowsDir);
  return parseWorkflow(await readFile(file, 'utf8'), { tools, source: file, format: extname(file) === '.json' ? 'json' : 'yaml' });
}

async function findFile(path: string, workflowsDir: string): Promise<string> {
  for (const candidate of [resolve(path), resolve(workflowsDir, path)]) {
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isFile()) return candidate;
  }
  throw new ToolError({
    code: 'WORKFLOW_NOT_FOUND', type: ErrorType.notFound, retryable: false, tool: 'execute_workflow',
    message: `no workflow file at ${path} (looked in the working directory and in ${resolve(workflowsDir)})`,
    details: { hint: 'list_workflows names the workflow files this server knows' },
  });
}
