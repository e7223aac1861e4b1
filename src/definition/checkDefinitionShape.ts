import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { DefinitionLimits } from './DefinitionLimits.js';
import { formatPath } from './formatPath.js';

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
  // Depth-first with an explicit stack; `ancestors` holds the objects on the current path.
  const stack: { value: unknown; path: PropertyKey[]; exit: boolean }[] = [{ value, path: [], exit: false }];
  const ancestors = new Set<object>();
  let values = 0;
  while (stack.length > 0) {
    const frame = stack.pop() as (typeof stack)[number];
    const item = frame.value;
    if (frame.exit) {
      ancestors.delete(item as object);
      continue;
    }
    values += 1;
    if (values > DefinitionLimits.maxValues) {
      return { code: 'DEFINITION_TOO_LARGE', path: formatPath(frame.path), message: `the definition holds more than ${DefinitionLimits.maxValues} values` };
    }
    if (typeof item !== 'object' || item === null) continue;
    if (ancestors.has(item)) {
      return { code: 'DEFINITION_CYCLE', path: formatPath(frame.path), message: 'refers back to an object that contains it (a cycle); a definition must be a tree' };
    }
    if (frame.path.length >= DefinitionLimits.maxDepth) {
      return { code: 'DEFINITION_TOO_DEEP', path: formatPath(frame.path), message: `nests deeper than ${DefinitionLimits.maxDepth} levels` };
    }
    ancestors.add(item);
    stack.push({ value: item, path: frame.path, exit: true });
    if (Array.isArray(item)) {
      if (values + item.length > DefinitionLimits.maxValues) {
        return { code: 'DEFINITION_TOO_LARGE', path: formatPath(frame.path), message: `the definition holds more than ${DefinitionLimits.maxValues} values` };
      }
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], path: [...frame.path, i], exit: false });
    } else {
      const keys = Object.keys(item);
      if (Object.hasOwn(item, '__proto__')) {
        return {
          code: 'RESERVED_KEY',
          path: formatPath([...frame.path, '__proto__']),
          message: 'a definition may not use "__proto__" as a key (as data it would be dropped or become a prototype)',
        };
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        stack.push({ value: (item as Record<string, unknown>)[key], path: [...frame.path, key], exit: false });
      }
    }
  }
  return undefined;
}
