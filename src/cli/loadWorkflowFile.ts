import { access, readFile } from 'node:fs/promises';
import { extname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { parseWorkflow } from '../definition/parseWorkflow.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';

/** The package's own directory (`src/cli/..` or `dist/cli/..`), where `examples/` ships. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Reads and validates a workflow file (`.yaml`, `.yml` or `.json`). Without `tools` the tool
 * names and inputs are not checked (a diagram needs no registered tools). A relative
 * `examples/...` path that is not in the working directory is read from the examples the
 * package ships, so the README's `orchkit run examples/containerize.yaml` works in any project.
 */
export async function loadWorkflowFile(file: string, tools?: ToolRegistry): Promise<WorkflowDefinition> {
  const path = await locate(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new WorkflowValidationError([{ code: 'FILE_UNREADABLE', path: '', message: `cannot read ${file}: ${reason}` }], 'WORKFLOW_PARSE_ERROR');
  }
  return parseWorkflow(text, { ...(tools ? { tools } : {}), source: file, format: extname(file) === '.json' ? 'json' : 'yaml' });
}

async function locate(file: string): Promise<string> {
  const bundled = join(PACKAGE_ROOT, file);
  if (isAbsolute(file) || !/^(\.\/)?examples[/\\]/.test(file)) return file;
  const here = await access(file).then(() => true, () => false);
  if (here) return file;
  return (await access(bundled).then(() => true, () => false)) ? bundled : file;
}
