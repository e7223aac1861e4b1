import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { WorkflowValidationError, type ValidationIssue } from '../errors/WorkflowValidationError.js';
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
 * @throws WorkflowValidationError `WORKFLOW_PARSE_ERROR` for text that is not YAML/JSON,
 *   `WORKFLOW_INVALID` for a definition that does not validate.
 * @example
 * const definition = parseWorkflow(readFileSync('containerize.yaml', 'utf8'), { tools });
 */
export function parseWorkflow(text: string, options: ParseOptions = {}): WorkflowDefinition {
  const lineCounter = new LineCounter();
  let value: unknown;
  let document: Document | undefined;
  if (options.format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new WorkflowValidationError([jsonSyntaxIssue(text, error instanceof Error ? error.message : String(error), lineCounter)], 'WORKFLOW_PARSE_ERROR');
    }
  } else {
    document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      const issues = document.errors.map((error): ValidationIssue => {
        const at = error.linePos?.[0];
        return {
          code: 'PARSE_ERROR',
          path: '',
          // The line and column are fields of the issue: the message need not end with them (and a colon).
          message: (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?\s*$/, ''),
          ...(at ? { line: at.line, column: at.col } : {}),
        };
      });
      throw new WorkflowValidationError(issues, 'WORKFLOW_PARSE_ERROR');
    }
    value = document.toJS({ maxAliasCount: 100 });
  }
  const result = validateWorkflow(value, options);
  if (result.success) return result.definition;
  const located = document ? result.issues.map((issue) => locate(issue, document, lineCounter)) : result.issues;
  throw new WorkflowValidationError(located);
}

/**
 * A JSON syntax error with its line and column: from the position V8 names (`at position 12`,
 * `(line 2 column 3)`), else from where the YAML parser (JSON is YAML) stops. The message loses
 * V8's quote of the text and its position.
 */
function jsonSyntaxIssue(text: string, message: string, lines: LineCounter): ValidationIssue {
  const cleaned = message.replace(/, "(?:[^"\\]|\\.)*" is not valid JSON$|, \.\.\..*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)$/, '');
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return { code: 'PARSE_ERROR', path: '', message: cleaned, line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  let at: { line: number; col: number } | undefined;
  if (position) {
    lines.addNewLine(0);
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines.addNewLine(index + 1);
    at = lines.linePos(Number(position[1]));
  } else {
    at = parseDocument(text, { lineCounter: lines }).errors[0]?.linePos?.[0];
  }
  return { code: 'PARSE_ERROR', path: '', message: cleaned, ...(at ? { line: at.line, column: at.col } : {}) };
}

/** Adds the line and column of the deepest node that exists along the issue's path. */
function locate(issue: ValidationIssue, document: Document, lines: LineCounter): ValidationIssue {
  let node: unknown = document.contents;
  let found: Node | undefined = node as Node | undefined;
  const keys = splitPath(issue.path);
  for (const [depth, key] of keys.entries()) {
    // An unknown key is shown where the key is written, not where its value is.
    const pair = issue.code === 'UNKNOWN_FIELD' && depth === keys.length - 1 && isMap(node) ? node.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
    if (pair && isScalar(pair.key)) {
      found = pair.key;
      break;
    }
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
