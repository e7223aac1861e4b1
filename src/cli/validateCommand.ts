import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { createToolRegistry } from '../actors/ToolRegistry.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';
import { formatIssues } from './formatIssues.js';
import { loadWorkflowFile } from './loadWorkflowFile.js';

/** `orchkit validate <file>`: every problem at once, with line and column; exit 2 when invalid. */
export async function validateCommand(file: string, options: { json?: boolean }): Promise<ExitCode> {
  try {
    const definition = await loadWorkflowFile(file, createToolRegistry(defaultTools()));
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ valid: true, id: definition.id, steps: definition.steps.length, issues: [] })}\n`
        : `${file}: valid (${definition.id}, ${definition.steps.length} steps)\n`,
    );
    return ExitCode.ok;
  } catch (error) {
    if (!isWorkflowValidationError(error)) throw error;
    if (options.json) process.stdout.write(`${JSON.stringify({ valid: false, code: error.code, issues: error.issues })}\n`);
    else process.stderr.write(`${formatIssues(file, error.issues)}\n${file}: ${error.issues.length} problem(s)\n`);
    return ExitCode.invalid;
  }
}
