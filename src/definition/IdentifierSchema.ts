import { z } from 'zod';

/** Step ids and workflow ids: start with a letter; letters, digits, `_` and `-` after. */
export const IdentifierSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and contain only letters, digits, "_" and "-"');
