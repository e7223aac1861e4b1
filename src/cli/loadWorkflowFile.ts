import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { parseWorkflow } from '../definition/parseWorkflow.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';

/**
 * Reads and validates a workflow file (`.yaml`, `.yml` or `.json`). Without `tools` the tool
 * names and inputs are not checked (a diagram needs no registered tools).
 */
export async function loadWorkflowFile(file: string, tools?: ToolRegistry): Promise<WorkflowDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new WorkflowValidationError([{ code: 'FILE_UNREADABLE', path: '', message: `cannot read ${file}: ${reason}` }], 'WORKFLOW_PARSE_ERROR');
  }
  return parseWorkflow(text, { ...(tools ? { tools } : {}), source: file, format: extname(file) === '.json' ? 'json' : 'yaml' });
}
