import type { ToolCatalog } from './ToolCatalog.js';
import type { WorkflowDefinition } from './WorkflowDefinitionSchema.js';

/** Definitions {@link validateWorkflowAsync} accepted, with the catalog they were checked against. */
const accepted = new WeakMap<object, ToolCatalog | undefined>();

/**
 * Records that `definition` passed validation against `catalog`, and freezes it (deeply), so
 * what was checked is what runs: the runtime starts it without checking it again in one long
 * turn of the event loop, and a change made after the check throws instead of slipping by.
 */
export function markValidated(definition: WorkflowDefinition, catalog: ToolCatalog | undefined): void {
  const stack: unknown[] = [definition];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) continue;
    Object.freeze(value);
    for (const item of Object.values(value)) stack.push(item);
  }
  accepted.set(definition, catalog);
}

/** True when `value` is a definition {@link markValidated} recorded for this very catalog. */
export function isValidatedFor(value: unknown, catalog: ToolCatalog): value is WorkflowDefinition {
  return typeof value === 'object' && value !== null && accepted.has(value) && accepted.get(value) === catalog;
}
