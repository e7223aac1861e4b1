import { z } from 'zod';
import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { didYouMean } from './didYouMean.js';
import { formatPath } from './formatPath.js';

/**
 * One `UNKNOWN_FIELD` issue per key of zod's `unrecognized_keys` issue, each at the key's own
 * path (`steps[1].dependOn`) and naming the key meant when one is close (`dependsOn`). `schema`
 * is the strict object the issue's path leads into from `base` (the definition, or the step's
 * branch); its keys are the ones known there.
 *
 * @example
 * unknownKeyIssues(['dependOn'], ['steps', 1], ToolStepSchema, ['steps', 1]);
 * // [{ code: 'UNKNOWN_FIELD', path: 'steps[1].dependOn', message: 'unknown key "dependOn" (did you mean "dependsOn"?)' }]
 */
export function unknownKeyIssues(keys: readonly string[], path: readonly PropertyKey[], schema: z.ZodType, base: readonly PropertyKey[] = []): ValidationIssue[] {
  const known = objectKeys(schemaAt(schema, path.slice(base.length)));
  return keys.map((key) => {
    const shown = key.length > 80 ? `${key.slice(0, 80)}...` : key;
    const meant = known.length > 0 && key.length <= 80 ? didYouMean(key, known) : undefined;
    return { code: 'UNKNOWN_FIELD', path: formatPath([...path, key]), message: `unknown key "${shown}"${meant ? ` (did you mean "${meant}"?)` : ''}` };
  });
}

/** The schema `path` leads to inside `schema`, through objects, arrays, records and wrappers. */
function schemaAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): z.ZodType | undefined {
  let at = unwrap(schema);
  for (const key of path) {
    if (at instanceof z.ZodObject && typeof key === 'string') at = Object.hasOwn(at.shape, key) ? unwrap((at.shape as Record<string, z.ZodType>)[key]) : undefined;
    else if (at instanceof z.ZodArray) at = unwrap(at.element as z.ZodType);
    else if (at instanceof z.ZodRecord) at = unwrap(at.valueType as z.ZodType);
    else return undefined;
  }
  return at;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let at = schema;
  for (let depth = 0; depth < 8 && at !== undefined; depth++) {
    if (at instanceof z.ZodOptional || at instanceof z.ZodNullable || at instanceof z.ZodDefault || at instanceof z.ZodReadonly) at = at.unwrap() as z.ZodType;
    else if (at instanceof z.ZodPipe) at = at.in as z.ZodType;
    else break;
  }
  return at;
}

function objectKeys(schema: z.ZodType | undefined): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodUnion) return [...new Set((schema.options as z.ZodType[]).flatMap((option) => objectKeys(unwrap(option))))];
  return [];
}
