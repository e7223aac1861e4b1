import { readFile } from 'node:fs/promises';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';

/**
 * Builds the workflow input from `--input-file f.json` and repeated `--input key=value`
 * (values that parse as JSON are taken as JSON: `n=3`, `flag=true`, `list=[1,2]`).
 */
export async function parseInputs(pairs: readonly string[], inputFile: string | undefined): Promise<Record<string, unknown>> {
  let input: Record<string, unknown> = {};
  if (inputFile !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(inputFile, 'utf8'));
    } catch (error) {
      throw new WorkflowValidationError([{ code: 'INPUT_FILE_INVALID', path: 'input', message: `cannot read ${inputFile}: ${(error as Error).message}` }]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new WorkflowValidationError([{ code: 'INPUT_FILE_INVALID', path: 'input', message: `${inputFile} must hold a JSON object` }]);
    }
    input = parsed as Record<string, unknown>;
  }
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new WorkflowValidationError([{ code: 'INPUT_INVALID', path: 'input', message: `--input "${pair}" must look like key=value` }]);
    }
    input[pair.slice(0, at)] = parseValue(pair.slice(at + 1));
  }
  return input;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
