import { z } from 'zod';
import type { Runtime } from '../runtime/Runtime.js';

/** One registered workflow version as `list_workflows` shows it. */
export const RegisteredEntrySchema = z.object({
  id: z.string(),
  version: z.string(),
  /** The version `execute_workflow { workflowId }` runs when no version is given. */
  latest: z.boolean(),
  description: z.string().optional(),
  steps: z.array(z.string()),
  inputs: z.array(z.string()),
});
export type RegisteredEntry = z.infer<typeof RegisteredEntrySchema>;

/**
 * The runtime's registered workflows, each `(id, version)` with its steps and inputs.
 *
 * @example
 * const entries = registeredEntries(runtime); // [{ id: 'build-image', version: '2', latest: true, ... }]
 */
export function registeredEntries(runtime: Runtime): RegisteredEntry[] {
  return runtime.workflows().map((entry) => {
    const definition = runtime.getWorkflow(entry.id, entry.version);
    return { ...entry, steps: definition.steps.map((step) => step.id), inputs: Object.keys(definition.input) };
  });
}
