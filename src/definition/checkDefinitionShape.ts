import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { DefinitionLimits } from './DefinitionLimits.js';
import { formatPath } from './formatPath.js';
import { runToEnd } from './runToEnd.js';

/** Values walked between two yields of {@link walkDefinitionShape}. */
const VALUES_PER_TURN = 10_000;

/** One value on the walk; the path is rebuilt from `parent` links only when an issue needs it. */
interface Frame {
  value: unknown;
  parent: Frame | undefined;
  key: PropertyKey;
  depth: number;
  exit: boolean;
}

/**
 * Checks a definition value before anything walks it recursively: nesting depth, number of
 * values, and cycles (a self-referencing YAML alias, or an object built in code). One iterative
 * pass; the first problem found is returned, with its path. An own `__proto__` key is refused
 * too (`RESERVED_KEY`): the schema would drop it silently. Run data (workflow input, tool
 * output, context) keeps such keys as own keys instead.
 *
 * @example
 * const a: unknown[] = []; a.push(a);
 * checkDefinitionShape({ id: 'x', steps: a }); // { code: 'DEFINITION_CYCLE', path: 'steps[0]', ... }
 */
export function checkDefinitionShape(value: unknown): ValidationIssue | undefined {
  return runToEnd(walkDefinitionShape(value));
}

/**
 * {@link checkDefinitionShape} as a generator that yields every {@link VALUES_PER_TURN} values, so
 * an async caller can give the event loop a turn between them.
 */
export function* walkDefinitionShape(value: unknown): Generator<undefined, ValidationIssue | undefined> {
  // Depth-first with an explicit stack; `ancestors` holds the objects on the current path.
  const stack: Frame[] = [{ value, parent: undefined, key: '', depth: 0, exit: false }];
  const ancestors = new Set<object>();
  let values = 0;
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const item = frame.value;
    if (frame.exit) {
      ancestors.delete(item as object);
      continue;
    }
    values += 1;
    if (values % VALUES_PER_TURN === 0) yield;
    if (values > DefinitionLimits.maxValues) {
      return { code: 'DEFINITION_TOO_LARGE', path: pathOf(frame), message: `the definition holds more than ${DefinitionLimits.maxValues} values` };
    }
    if (typeof item !== 'object' || item === null) continue;
    if (ancestors.has(item)) {
      return { code: 'DEFINITION_CYCLE', path: pathOf(frame), message: 'refers back to an object that contains it (a cycle); a definition must be a tree' };
    }
    if (frame.depth >= DefinitionLimits.maxDepth) {
      return { code: 'DEFINITION_TOO_DEEP', path: pathOf(frame), message: `nests deeper than ${DefinitionLimits.maxDepth} levels` };
    }
    ancestors.add(item);
    stack.push({ value: item, parent: frame.parent, key: frame.key, depth: frame.depth, exit: true });
    const depth = frame.depth + 1;
    if (Array.isArray(item)) {
      if (values + item.length > DefinitionLimits.maxValues) {
        return { code: 'DEFINITION_TOO_LARGE', path: pathOf(frame), message: `the definition holds more than ${DefinitionLimits.maxValues} values` };
      }
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], parent: frame, key: i, depth, exit: false });
    } else {
      if (Object.hasOwn(item, '__proto__')) {
        return {
          code: 'RESERVED_KEY',
          path: formatPath([...pathKeys(frame), '__proto__']),
          message: 'a definition may not use "__proto__" as a key (as data it would be dropped or become a prototype)',
        };
      }
      const keys = Object.keys(item);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        stack.push({ value: (item as Record<string, unknown>)[key], parent: frame, key, depth, exit: false });
      }
    }
  }
  return undefined;
}

function pathKeys(frame: Frame): PropertyKey[] {
  const keys: PropertyKey[] = [];
  for (let at: Frame | undefined = frame; at?.parent !== undefined; at = at.parent) keys.push(at.key);
  return keys.reverse();
}

function pathOf(frame: Frame): string {
  return formatPath(pathKeys(frame));
}
