import { stepKindKey, type StepKindKey } from './steps/stepKindKey.js';

/** A step as written, read leniently so graph checks run even when the schema check fails. */
export interface RawStep {
  index: number;
  id: string | undefined;
  kind: StepKindKey | undefined;
  tool: string | undefined;
  /** A map step's `map` block as written. */
  map: { items?: unknown; as?: unknown } | undefined;
  dependsOn: readonly unknown[];
  input: unknown;
  when: unknown;
  onError: unknown;
}

/** Reads whatever steps can be read from an unvalidated definition. */
export function readRawSteps(value: unknown): RawStep[] {
  const steps = (value as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  // An index loop, not `map`: a sparse array keeps its holes through `map`.
  const raw: RawStep[] = [];
  for (let index = 0; index < steps.length; index++) {
    const step: unknown = steps[index];
    const s = (typeof step === 'object' && step !== null ? step : {}) as Record<string, unknown>;
    raw.push({
      index,
      id: typeof s.id === 'string' ? s.id : undefined,
      kind: stepKindKey(s),
      map: typeof s.map === 'object' && s.map !== null ? (s.map) : undefined,
      tool: typeof s.tool === 'string' ? s.tool : undefined,
      dependsOn: Array.isArray(s.dependsOn) ? (s.dependsOn as unknown[]) : [],
      input: s.input,
      when: s.when,
      onError: s.onError,
    });
  }
  return raw;
}
