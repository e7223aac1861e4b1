import { z } from 'zod';
import { IdentifierSchema } from '../IdentifierSchema.js';

/** The undo's input wiring (as a call's: JSON whose strings may hold `${{ expr }}`); kept here so this file imports no step branch. */
const CompensateInputSchema = z.record(z.string(), z.unknown()).default({}).describe('Input of the undo; may read steps.<id>.output of its own and every completed step');

/**
 * The undo of a completed `tool` or `workflow` step: a tool call, or a registered workflow run as
 * a child. It runs only after the workflow fails, times out or is cancelled; its input may read
 * the step's own output and every completed step's (`steps.<id>.output`).
 */
export const CompensateSchema = z.union([
  z
    .object({
      tool: z.string().min(1).describe('The registered tool that undoes the step'),
      input: CompensateInputSchema,
    })
    .strict(),
  z
    .object({
      workflow: IdentifierSchema.describe('The registered workflow that undoes the step, run as a child execution'),
      version: z.union([z.string().min(1), z.number()]).transform(String).optional(),
      input: CompensateInputSchema,
    })
    .strict(),
]);
export type CompensateSpec = z.infer<typeof CompensateSchema>;
