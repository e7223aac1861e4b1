/**
 * Whether a definition names other workflows: a `workflow` step (or a `map` over one), or a
 * compensation that runs a workflow. Such a definition's check depends on the registry, not only
 * on the tools.
 *
 * @example
 * namesWorkflows({ id: 'p', steps: [{ id: 'b', workflow: 'build-image' }] }); // true
 */
export function namesWorkflows(definition: unknown): boolean {
  const steps = (definition as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return false;
  return steps.some((step: unknown) => {
    if (typeof step !== 'object' || step === null) return false;
    if ('workflow' in step) return true;
    const compensate = (step as { compensate?: unknown }).compensate;
    return typeof compensate === 'object' && compensate !== null && 'workflow' in compensate;
  });
}
