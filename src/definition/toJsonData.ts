import { ContextError } from '../errors/ContextError.js';
import { formatPath } from './formatPath.js';

/** Deepest nesting accepted; deeper values would risk a stack overflow here or in `JSON.stringify`. */
export const MAX_JSON_DEPTH = 256;

/** A checked, deep-frozen copy of a JSON value. */
export interface JsonData {
  value: unknown;
  /** An upper bound of the UTF-8 length of `JSON.stringify(value)`, found without encoding. */
  bytesAtMost: number;
}

/** Why a value is refused: not JSON, or too large / too deep. */
export type JsonDataProblem = 'not_json' | 'too_large';

/** Builds the error thrown for a refused value; the default is a `ContextError`. */
export type JsonDataFailure = (problem: JsonDataProblem, message: string, path: string) => Error;

const contextFailure: JsonDataFailure = (problem, message, path) =>
  new ContextError(problem === 'not_json' ? 'CONTEXT_NOT_JSON' : 'CONTEXT_ENTRY_TOO_LARGE', message, { path });

interface Walk {
  fail: JsonDataFailure;
  path: PropertyKey[];
  ancestors: object[];
  /** Lower bound of the encoded bytes so far: lets a huge value fail before it is all copied. */
  atLeast: number;
  atMost: number;
  byteLimit: number;
}

// A JSON number takes at most 24 characters (`-1.2345678901234567e-308`).
const MAX_NUMBER_CHARS = 24;
// One UTF-16 unit encodes to at most 6 bytes (`\u001f`); a surrogate pair to 4.
const MAX_BYTES_PER_UNIT = 6;

/**
 * Checks that `input` is JSON data and returns a deep copy of it, frozen, in plain objects and
 * arrays. Rejects, with a {@link ContextError} `CONTEXT_NOT_JSON` naming the path: functions,
 * symbols, bigints, `undefined` (at the top or in an array), non-finite numbers, sparse arrays,
 * cycles and objects that are not plain (`Date`, `Map`, class instances, boxed primitives).
 * Object properties whose value is `undefined` are left out, as `JSON.stringify` does; symbol
 * keys and non-enumerable properties are ignored, as there.
 *
 * The keys `__proto__`, `constructor` and `prototype` are carried as own data properties, as
 * `JSON.parse` does: the copy never has its prototype changed, and being frozen it cannot be
 * used to write anywhere.
 *
 * Throws `CONTEXT_ENTRY_TOO_LARGE` as soon as the value is certain to encode to more than
 * `byteLimit` bytes, or nests deeper than {@link MAX_JSON_DEPTH}. `fail` builds another error
 * instead (tool outputs are `ToolError`s).
 *
 * @example
 * toJsonData({ items: [{ when: new Date() }] }, 'data', 1024);
 * // throws ContextError: data.items[0].when is a Date, not a plain object
 */
export function toJsonData(input: unknown, root: string, byteLimit: number, fail: JsonDataFailure = contextFailure): JsonData {
  const walk: Walk = { fail, path: [root], ancestors: [], atLeast: 0, atMost: 0, byteLimit };
  const value = visit(walk, input);
  return { value, bytesAtMost: walk.atMost };
}

function visit(walk: Walk, value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      walk.atLeast += value.length + 2;
      walk.atMost += value.length * MAX_BYTES_PER_UNIT + 2;
      if (walk.atLeast > walk.byteLimit) tooLarge(walk);
      return value;
    case 'number':
      if (!Number.isFinite(value)) notJson(walk, `is ${String(value)}, not a finite number`);
      walk.atLeast += 1;
      walk.atMost += MAX_NUMBER_CHARS;
      return value;
    case 'boolean':
      walk.atLeast += 4;
      walk.atMost += 5;
      return value;
    case 'object':
      if (value === null) {
        walk.atLeast += 4;
        walk.atMost += 4;
        return null;
      }
      return visitObject(walk, value);
    case 'undefined':
      return notJson(walk, 'is undefined');
    default:
      return notJson(walk, `is a ${typeof value}`);
  }
}

function visitObject(walk: Walk, value: object): unknown {
  if (walk.ancestors.includes(value)) notJson(walk, 'is a circular reference');
  if (walk.ancestors.length >= MAX_JSON_DEPTH) {
    throw walk.fail('too_large', `${here(walk)} nests deeper than ${MAX_JSON_DEPTH} levels`, here(walk));
  }
  walk.ancestors.push(value);
  const copy = Array.isArray(value) ? visitArray(walk, value) : visitRecord(walk, value);
  walk.ancestors.pop();
  return Object.freeze(copy);
}

function visitArray(walk: Walk, value: unknown[]): unknown[] {
  if (Object.getPrototypeOf(value) !== Array.prototype) notJson(walk, 'is not a plain array');
  const length = value.length;
  const copy = new Array<unknown>(length);
  walk.atLeast += 2 + Math.max(0, length - 1);
  walk.atMost += 2 + Math.max(0, length - 1);
  for (let i = 0; i < length; i++) {
    walk.path.push(i);
    if (!(i in value)) notJson(walk, 'is a hole in a sparse array');
    copy[i] = visit(walk, value[i]);
    walk.path.pop();
  }
  return copy;
}

function visitRecord(walk: Walk, value: object): Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) notJson(walk, `is a ${describe(value)}, not a plain object`);
  const copy: Record<string, unknown> = {};
  walk.atLeast += 2;
  walk.atMost += 2;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item === undefined) continue;
    walk.path.push(key);
    // key, quotes, colon and comma
    walk.atLeast += key.length + 4;
    walk.atMost += key.length * MAX_BYTES_PER_UNIT + 4;
    const itemCopy = visit(walk, item);
    // Plain assignment of `__proto__` would set the copy's prototype; define an own property instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: itemCopy, enumerable: true, writable: true, configurable: true });
    else copy[key] = itemCopy;
    walk.path.pop();
  }
  return copy;
}

function describe(value: object): string {
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'non-plain object';
}

function here(walk: Walk): string {
  return formatPath(walk.path);
}

function notJson(walk: Walk, reason: string): never {
  throw walk.fail('not_json', `${here(walk)} ${reason}`, here(walk));
}

function tooLarge(walk: Walk): never {
  throw walk.fail('too_large', `${here(walk)}: the value encodes to more than ${walk.byteLimit} bytes`, here(walk));
}
