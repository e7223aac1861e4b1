import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { parseWorkflow } from '../definition/parseWorkflow.js';
import { z } from 'zod';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';

/** One workflow file of a directory, with what it declares or why it does not validate. */
export const WorkflowFileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  valid: z.boolean(),
  id: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  steps: z.array(z.string()).optional(),
  inputs: z.array(z.string()).optional(),
  problems: z.array(z.string()).optional(),
});
export type WorkflowFileEntry = z.infer<typeof WorkflowFileEntrySchema>;

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * The YAML and JSON workflow files directly in `dir`, each parsed and validated against the
 * registered tools. A missing directory lists nothing.
 *
 * @example
 * const files = await listWorkflowFiles('examples', runtime.tools);
 */
export async function listWorkflowFiles(dir: string, tools: ToolRegistry): Promise<WorkflowFileEntry[]> {
  const root = resolve(dir);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile() && EXTENSIONS.has(extname(entry.name))).map((entry) => entry.name).sort();
  return Promise.all(
    files.map(async (name): Promise<WorkflowFileEntry> => {
      const path = join(root, name);
      try {
        const definition = parseWorkflow(await readFile(path, 'utf8'), { tools, source: path, format: extname(name) === '.json' ? 'json' : 'yaml' });
        return {
          name, path, valid: true, id: definition.id, version: definition.version,
          ...(definition.description === undefined ? {} : { description: definition.description.trim() }),
          steps: definition.steps.map((step) => step.id),
          inputs: Object.keys(definition.input),
        };
      } catch (error) {
        const problems = isWorkflowValidationError(error) ? error.issues.map((issue) => `${issue.path || '<root>'}: ${issue.message}`) : [String(error)];
        return { name, path, valid: false, problems };
      }
    }),
  );
}
