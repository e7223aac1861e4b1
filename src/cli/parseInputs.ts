import { readFile } from 'node:fs/promises';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';

type InputType = NonNullable<WorkflowDefinition['input'][string]['type']>;

/**
 * Builds the workflow input from `--input-file f.json` and repeated `--input key=value`. A value
 * is read as the type the definition declares for its key: a `string` input keeps the text as it
 * is (`imageTag=1.0` is `"1.0"`), `number`/`integer`/`boolean` parse it, `object`/`array` read
 * JSON. An undeclared key takes JSON when the text is JSON (`n=3`, `flag=true`), else the text.
 *
 * @throws WorkflowValidationError `INPUT_INVALID` for a pair without `=` or a value that is not of its declared type.
 */
export async function parseInputs(pairs: readonly string[], inputFile: string | undefined, declared: WorkflowDefinition['input'] = {}): Promise<Record<string, unknown>> {
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
    const key = pair.slice(0, at);
    const type = Object.hasOwn(declared, key) ? declared[key]?.type : undefined;
    const value = parseValue(pair.slice(at + 1), type);
    if (value === INVALID) {
      throw new WorkflowValidationError([{ code: 'INPUT_INVALID', path: `input.${key}`, message: `--input ${key}=${pair.slice(at + 1)}: expected ${type === 'integer' ? 'an integer' : `a ${type ?? 'value'}`}` }]);
    }
    Object.defineProperty(input, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return input;
}

const INVALID = Symbol('invalid');

function parseValue(text: string, type: InputType | undefined): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'number':
    case 'integer': {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      return Number.isFinite(n) && (type === 'number' || Number.isInteger(n)) ? n : INVALID;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : INVALID;
    case 'object':
    case 'array': {
      const json = parseJson(text);
      return (type === 'array' ? Array.isArray(json) : typeof json === 'object' && json !== null && !Array.isArray(json)) ? json : INVALID;
    }
    default: {
      const json = parseJson(text);
      return json === INVALID ? text : json;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}
