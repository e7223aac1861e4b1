import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { WorkflowValidationError, type ValidationIssue } from '../errors/WorkflowValidationError.js';
import { checkDefinitionText } from './checkDefinitionText.js';
import { DefinitionLimits } from './DefinitionLimits.js';
import type { WorkflowDefinition } from './WorkflowDefinitionSchema.js';
import { validateWorkflow, type ValidateOptions } from './validateWorkflow.js';

/** Options of {@link parseWorkflow}. */
export interface ParseOptions extends ValidateOptions {
  /** `yaml` (the default; JSON is valid YAML) or `json` for strict JSON. */
  format?: 'yaml' | 'json';
  /** File name, used in messages. */
  source?: string;
}

/**
 * Parses YAML or JSON text and validates it. Every problem is reported at once, with its
 * path and its line and column in the text.
 *
 * @throws WorkflowValidationError `WORKFLOW_PARSE_ERROR` for text that is not YAML/JSON, or that
 *   passes a {@link DefinitionLimits} bound checked before parsing (size, nesting, aliases);
 *   `WORKFLOW_INVALID` for a definition that does not validate.
 * @example
 * const definition = parseWorkflow(readFileSync('containerize.yaml', 'utf8'), { tools });
 */
export function parseWorkflow(text: string, options: ParseOptions = {}): WorkflowDefinition {
  const tooBig = typeof text === 'string' ? checkDefinitionText(text) : { code: 'PARSE_ERROR', path: '', message: 'the definition text must be a string' };
  if (tooBig) throw new WorkflowValidationError([tooBig], 'WORKFLOW_PARSE_ERROR');
  const lineCounter = new LineCounter();
  let value: unknown;
  let document: Document | undefined;
  if (options.format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new WorkflowValidationError(
        [{ code: 'PARSE_ERROR', path: '', message: error instanceof Error ? error.message : String(error) }],
        'WORKFLOW_PARSE_ERROR',
      );
    }
  } else {
    document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      const issues = document.errors.map((error): ValidationIssue => {
        const at = error.linePos?.[0];
        return {
          code: 'PARSE_ERROR',
          path: '',
          message: error.message.split('\n')[0] ?? error.message,
          ...(at ? { line: at.line, column: at.col } : {}),
        };
      });
      throw new WorkflowValidationError(issues, 'WORKFLOW_PARSE_ERROR');
    }
    try {
      value = document.toJS({ maxAliasCount: DefinitionLimits.maxAliasCount });
    } catch (error) {
      // `yaml` throws a ReferenceError for an alias bomb and for an alias it cannot resolve.
      throw new WorkflowValidationError(
        [{ code: 'PARSE_ERROR', path: '', message: `${error instanceof Error ? error.message : String(error)} (at most ${DefinitionLimits.maxAliasCount} aliases)` }],
        'WORKFLOW_PARSE_ERROR',
      );
    }
  }
  const result = validateWorkflow(value, options);
  if (result.success) return result.definition;
  const located = document ? result.issues.map((issue) => locate(issue, document, lineCounter)) : result.issues;
  throw new WorkflowValidationError(located);
}

/** Adds the line and column of the deepest node that exists along the issue's path. */
function locate(issue: ValidationIssue, document: Document, lines: LineCounter): ValidationIssue {
  let node: unknown = document.contents;
  let found: Node | undefined = node as Node | undefined;
  for (const key of splitPath(issue.path)) {
    if (isMap(node)) node = node.get(key, true);
    else if (isSeq(node) && typeof key === 'number') node = node.get(key, true);
    else break;
    if (node === undefined) break;
    found = node as Node;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return issue;
  const { line, col } = lines.linePos(offset);
  return { ...issue, line, column: col };
}

function splitPath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) keys.push(Number(match[2]));
    else if (match[1] !== undefined) keys.push(match[1]);
  }
  return keys;
}
