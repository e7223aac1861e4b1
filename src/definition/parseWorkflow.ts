import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { WorkflowValidationError, type ValidationIssue } from '../errors/WorkflowValidationError.js';
import { checkDefinitionText } from './checkDefinitionText.js';
import { DefinitionLimits } from './DefinitionLimits.js';
import { locateInJson } from './locateInJson.js';
import { readYamlDocument } from './readYamlDocument.js';
import { runToEnd } from './runToEnd.js';
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
 * path and its line and column in the text. Text that opens with `{` is tried as JSON first
 * (`JSON.parse`: a repeated key keeps its last value there, where YAML refuses it).
 *
 * @throws WorkflowValidationError `WORKFLOW_PARSE_ERROR` for text that is not YAML/JSON, or that
 *   passes a {@link DefinitionLimits} bound checked before parsing (size, nesting, aliases);
 *   `WORKFLOW_INVALID` for a definition that does not validate.
 * @example
 * const definition = parseWorkflow(readFileSync('containerize.yaml', 'utf8'), { tools });
 */
export function parseWorkflow(text: string, options: ParseOptions = {}): WorkflowDefinition {
  const read = readDefinitionText(text, options);
  const result = validateWorkflow(read.value, options);
  if (result.success) return result.definition;
  throw locatedError(text, result.issues, read.yaml);
}

/** Definition text read into a value (parse errors thrown), and its YAML document when it was YAML. */
export interface DefinitionText {
  value: unknown;
  yaml: { document: Document; lines: LineCounter } | undefined;
}

/**
 * The parse half of {@link parseWorkflow}: bounds checked, then JSON or YAML read into a value.
 *
 * @throws WorkflowValidationError `WORKFLOW_PARSE_ERROR`
 */
export function readDefinitionText(text: string, options: ParseOptions = {}): DefinitionText {
  return runToEnd(readDefinitionTextWork(text, options));
}

/** {@link readDefinitionText} as a generator that yields while it lexes YAML (see `readYamlDocument`). */
export function* readDefinitionTextWork(text: string, options: ParseOptions = {}): Generator<undefined, DefinitionText> {
  if (typeof text !== 'string') throw parseError([{ code: 'PARSE_ERROR', path: '', message: 'the definition text must be a string' }]);
  const tooLarge = checkTextSize(text);
  if (tooLarge) throw parseError([tooLarge]);
  // JSON text takes the native parser (about 40x faster than YAML's, and it does not recurse);
  // YAML, or flow YAML that is not JSON, takes the YAML parser after the nesting check.
  const json = options.format === 'json' || text.trimStart().startsWith('{') ? parseJson(text, options.format === 'json') : undefined;
  if (json) return { value: json.value, yaml: undefined };
  // Text the one-pass reader refuses is read again for its exact, located errors.
  const yaml = (yield* readYamlDocument(text)) ?? parseYaml(text);
  return { value: toValue(yaml.document), yaml };
}

/** The error of a definition that did not validate, each issue with its line and column in `text`. */
export function locatedError(text: string, issues: readonly ValidationIssue[], yaml: DefinitionText['yaml']): WorkflowValidationError {
  // JSON text (the one kind read without a YAML document) is located by one linear scan.
  if (!yaml) return new WorkflowValidationError(locateInJson(text, issues));
  const located = yaml.document.errors.length === 0 ? issues.map((issue) => locate(issue, yaml.document, yaml.lines)) : issues;
  return new WorkflowValidationError(located);
}

function parseError(issues: ValidationIssue[]): WorkflowValidationError {
  return new WorkflowValidationError(issues, 'WORKFLOW_PARSE_ERROR');
}

function checkTextSize(text: string): ValidationIssue | undefined {
  if (text.length <= DefinitionLimits.maxTextChars) return undefined;
  return { code: 'DEFINITION_TOO_LARGE', path: '', message: `the definition text has ${text.length} characters; the limit is ${DefinitionLimits.maxTextChars}` };
}

/** JSON.parse; a failure is a parse error in strict JSON mode, else the text is tried as YAML. */
function parseJson(text: string, strict: boolean): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    if (!strict) return undefined;
    throw parseError([jsonSyntaxIssue(text, error instanceof Error ? error.message : String(error))]);
  }
}

/**
 * A JSON syntax error with its line and column: from the position V8 names (`at position 12`,
 * `(line 2 column 3)`), else from where the YAML parser (JSON is YAML) stops, when the text is
 * within the nesting bounds. The message loses V8's quote of the text and its position.
 */
function jsonSyntaxIssue(text: string, message: string): ValidationIssue {
  const cleaned = message.replace(/, "(?:[^"\\]|\\.)*" is not valid JSON$|, \.\.\..*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)$/, '');
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return { code: 'PARSE_ERROR', path: '', message: cleaned, line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  let at: { line: number; col: number } | undefined;
  if (position) {
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines.addNewLine(index + 1);
    at = lines.linePos(Number(position[1]));
  } else if (checkDefinitionText(text) === undefined) {
    at = yamlDocument(text).document.errors[0]?.linePos?.[0];
  }
  return { code: 'PARSE_ERROR', path: '', message: cleaned, ...(at ? { line: at.line, column: at.col } : {}) };
}

function yamlDocument(text: string): { document: Document; lines: LineCounter } {
  const lines = new LineCounter();
  return { document: parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true }), lines };
}

function parseYaml(text: string): { document: Document; lines: LineCounter } {
  const bounds = checkDefinitionText(text);
  if (bounds) throw parseError([bounds]);
  const parsed = yamlDocument(text);
  if (parsed.document.errors.length > 0) {
    throw parseError(
      parsed.document.errors.map((error): ValidationIssue => {
        const at = error.linePos?.[0];
        // The line and column are fields of the issue: the message need not end with them (and a colon).
        const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?\s*$/, '');
        return { code: 'PARSE_ERROR', path: '', message, ...(at ? { line: at.line, column: at.col } : {}) };
      }),
    );
  }
  return parsed;
}

function toValue(document: Document): unknown {
  try {
    return document.toJS({ maxAliasCount: DefinitionLimits.maxAliasCount });
  } catch (error) {
    // `yaml` throws a ReferenceError for an alias bomb and for an alias it cannot resolve.
    throw parseError([
      { code: 'PARSE_ERROR', path: '', message: `${error instanceof Error ? error.message : String(error)} (at most ${DefinitionLimits.maxAliasCount} aliases)` },
    ]);
  }
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
