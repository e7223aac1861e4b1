/** The kind keys a step may carry, in the order they are recognised (the first present wins). */
export const STEP_KIND_KEYS = ['map', 'wait', 'workflow', 'tool'] as const;
export type StepKindKey = (typeof STEP_KIND_KEYS)[number];

/**
 * The kind of a step as written, chosen by the key it carries (`map` before `tool`, since a map
 * step names its tool too); `undefined` when it carries none.
 */
export function stepKindKey(step: unknown): StepKindKey | undefined {
  if (typeof step !== 'object' || step === null) return undefined;
  return STEP_KIND_KEYS.find((key) => Object.prototype.hasOwnProperty.call(step, key));
}
