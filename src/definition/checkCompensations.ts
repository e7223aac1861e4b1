import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import type { WorkflowSignature } from './checkChildWorkflows.js';
import { didYouMean } from './didYouMean.js';
import { compileTemplate } from './Template.js';
import type { ToolCatalog } from './ToolCatalog.js';

/**
 * The `compensate` blocks of an unvalidated definition: its tool (`UNKNOWN_TOOL`) or workflow
 * (`UNKNOWN_WORKFLOW`) must be known when those are given, and its input's expressions must parse
 * and read only steps of the workflow. Any step may be read, not only ancestors: compensations run
 * after the run ended, so every completed step's output is there (a step that did not complete
 * reads as absent).
 *
 * @example
 * checkCompensations(definition, catalog, workflows); // [{ code: 'UNKNOWN_TOOL', path: 'steps[3].compensate.tool', ... }]
 */
export function checkCompensations(value: unknown, tools: ToolCatalog | undefined, workflows: Iterable<WorkflowSignature> | undefined): ValidationIssue[] {
  const steps = (value as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  // Most definitions have no compensations: one pass that finds none, and nothing else.
  if (!steps.some((step) => typeof step === 'object' && step !== null && 'compensate' in step)) return [];
  const ids = new Set(steps.map((step) => (step as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string'));
  let workflowIds: Set<string> | undefined;
  const issues: ValidationIssue[] = [];
  steps.forEach((step: unknown, index) => {
    const compensate = (step as { compensate?: unknown } | null)?.compensate as { tool?: unknown; workflow?: unknown; input?: unknown } | undefined;
    if (typeof compensate !== 'object' || compensate === null) return;
    const base = `steps[${index}].compensate`;
    if (typeof compensate.tool === 'string' && tools && !tools.has(compensate.tool)) {
      const hint = tools.suggest(compensate.tool);
      issues.push({ code: 'UNKNOWN_TOOL', path: `${base}.tool`, message: `no tool named "${compensate.tool}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
    }
    if (typeof compensate.workflow === 'string' && workflows) {
      workflowIds ??= new Set([...workflows].map((w) => w.id));
      if (!workflowIds.has(compensate.workflow)) {
        const hint = didYouMean(compensate.workflow, workflowIds);
        issues.push({ code: 'UNKNOWN_WORKFLOW', path: `${base}.workflow`, message: `no workflow "${compensate.workflow}" is registered${hint ? ` (did you mean "${hint}"?)` : ''}` });
      }
    }
    const template = compileTemplate(compensate.input ?? {}, `${base}.input`);
    for (const error of template.errors) issues.push({ code: error.code, path: error.path, message: error.message.slice(error.path.length + 2) });
    for (const expression of template.expressions) {
      for (const ref of expression.stepRefs) {
        if (!ids.has(ref)) issues.push({ code: 'UNKNOWN_STEP_REFERENCE', path: expression.path, message: `reads steps.${ref}, which is not a step` });
      }
    }
  });
  return issues;
}
