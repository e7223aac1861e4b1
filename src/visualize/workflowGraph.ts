import type { StepKindKey } from '../definition/steps/stepKindKey.js';
import type { RetryPolicy, StepDefinition, WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { stepTool } from '../definition/steps/stepTool.js';
import type { KindDiagram } from '../machines/workflow/kinds/StepKind.js';
import { kindOf } from '../machines/workflow/kinds/stepKinds.js';

/** One step of a {@link WorkflowGraph}: what a diagram shows of it. */
export interface WorkflowGraphNode {
  id: string;
  tool: string;
  /** The step's kind (`tool`, `map`, ...); each kind says how it is drawn. */
  kind: StepKindKey;
  /** `box` for one call, `stack` for one call per item. */
  shape: KindDiagram['shape'];
  /** The label's second line, from the kind (`scan_image`, `map image: scan_image`). */
  detail: string;
  /** CEL condition; the step is skipped when it is false. */
  when?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** Set when a failure does not simply fail the workflow. */
  onError?: Exclude<StepDefinition['onError'], 'fail'>;
}

/** A dependency: `to` waits for `from`. */
export interface WorkflowGraphEdge {
  from: string;
  to: string;
}

/** The step DAG of a workflow definition, in definition order. */
export interface WorkflowGraph {
  id: string;
  nodes: WorkflowGraphNode[];
  edges: WorkflowGraphEdge[];
}

/**
 * The step DAG of a validated definition: one node per step and one edge per `dependsOn`
 * entry. Ordering follows the definition (steps, then each step's `dependsOn`), so the
 * same definition always yields the same graph and diagrams can be checked for staleness.
 *
 * @example
 * const { nodes, edges } = workflowGraph(definition);
 */
export function workflowGraph(definition: WorkflowDefinition): WorkflowGraph {
  const nodes = definition.steps.map((step): WorkflowGraphNode => ({
    id: step.id,
    tool: stepTool(step) ?? kindOf(step).diagram(step).detail,
    kind: kindOf(step).key,
    ...kindOf(step).diagram(step),
    ...(step.when === undefined ? {} : { when: step.when }),
    ...('retry' in step && step.retry !== undefined ? { retry: step.retry } : {}),
    ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
    ...(step.onError === 'fail' ? {} : { onError: step.onError }),
  }));
  const edges = definition.steps.flatMap((step) => step.dependsOn.map((from): WorkflowGraphEdge => ({ from, to: step.id })));
  return { id: definition.id, nodes, edges };
}

/** Short, stable notes on a step for diagram labels: condition, retry, timeout, error route. */
export function describeStep(node: WorkflowGraphNode): string[] {
  const notes: string[] = [];
  if (node.when !== undefined) notes.push(`when: ${shorten(node.when.replace(/\s+/g, ' '), 80)}`);
  const limits: string[] = [];
  if (node.retry) limits.push(`retry ${node.retry.maxAttempts}x ${node.retry.backoff}`);
  if (node.timeoutMs !== undefined) limits.push(`timeout ${formatMs(node.timeoutMs)}`);
  if (limits.length > 0) notes.push(limits.join(', '));
  if (node.onError === 'continue') notes.push('on error: continue');
  else if (node.onError) notes.push(`on error: route ${node.onError.route}`);
  return notes;
}

/** `1500` -> `1500ms`, `30000` -> `30s`, `600000` -> `10m`. */
export function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
