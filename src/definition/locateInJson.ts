import type { ValidationIssue } from '../errors/WorkflowValidationError.js';

/**
 * Adds the line and column of each issue's path to issues of JSON text, in one linear scan of
 * the text (no second parse through the YAML parser, which takes seconds on a large text and
 * holds the event loop meanwhile). Each issue points at the deepest value along its path that
 * the text has; an `UNKNOWN_FIELD` issue points at its key. Call it only on text `JSON.parse`
 * accepted.
 *
 * @example
 * locateInJson('{"id": "x",\n "steps": 3}', [{ code: 'SCHEMA', path: 'steps', message: '...' }]); // line 2, column 11
 */
export function locateInJson(text: string, issues: readonly ValidationIssue[]): ValidationIssue[] {
  const wanted = new Set<string>();
  for (const issue of issues) for (const prefix of prefixes(issue.path)) wanted.add(prefix);
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  scan(text, wanted, values, keys);
  const lines = lineStarts(text);
  return issues.map((issue) => {
    let offset = issue.code === 'UNKNOWN_FIELD' ? keys.get(issue.path) : undefined;
    for (const prefix of prefixes(issue.path).reverse()) {
      if (offset !== undefined) break;
      offset = values.get(prefix);
    }
    return offset === undefined ? issue : { ...issue, ...position(lines, offset) };
  });
}

/** `steps[3].input.x` → `''`, `steps`, `steps[3]`, `steps[3].input`, `steps[3].input.x`. */
function prefixes(path: string): string[] {
  const out = [''];
  for (const match of path.matchAll(/[.[]/g)) if (match.index > 0) out.push(path.slice(0, match.index));
  if (path !== '') out.push(path);
  return out;
}

interface Container {
  path: string;
  array: boolean;
  index: number;
  key: string | undefined;
}

/** One pass over JSON text; records where each wanted value (and object key) starts. */
function scan(text: string, wanted: ReadonlySet<string>, values: Map<string, number>, keys: Map<string, number>): void {
  const stack: Container[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.array) return `${top.path}[${top.index}]`;
    return top.path === '' ? (top.key ?? '') : `${top.path}.${top.key ?? ''}`;
  };
  const valueAt = (at: number): string => {
    const path = childPath();
    if (wanted.has(path)) values.set(path, at);
    return path;
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a /* : */) continue;
    if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index += 1;
      else expectKey = true;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const path = valueAt(i);
      stack.push({ path, array: c === 0x5b, index: 0, key: undefined });
      expectKey = c === 0x7b;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
      continue;
    }
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const top = stack[stack.length - 1] as Container;
        top.key = JSON.parse(text.slice(i, end + 1)) as string;
        const path = childPath();
        if (wanted.has(path)) keys.set(path, i);
        expectKey = false;
      } else valueAt(i);
      i = end;
      continue;
    }
    // A number, true, false or null: runs to the next delimiter.
    valueAt(i);
    while (i + 1 < text.length && !/[\s,\]}]/.test(text[i + 1] as string)) i++;
  }
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length - 1;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** 1-based line and column of an offset. */
function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if ((starts[mid] as number) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (starts[low] as number) + 1 };
}
