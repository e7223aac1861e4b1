import type { z } from 'zod';
import type { Expression } from '../../../definition/Expression.js';
import type { StepKindKey } from '../../../definition/steps/stepKindKey.js';
import type { Template } from '../../../definition/Template.js';
import type { StepDefinition, WorkflowDefinition } from '../../../definition/WorkflowDefinitionSchema.js';
import type { ToolCallInput } from '../toolActor.js';
import type { WorkflowServices } from '../WorkflowServices.js';

/** How a step's calls fan out over items (a `map` step); a step without one makes one call. */
export interface FanOut {
  items: Template;
  /** The item's name in the input wiring; `index` is bound too. */
  as: string;
  /** Items at once. */
  concurrency: number;
  /** Failed items tolerated before the step fails with `MAP_TOO_MANY_FAILURES`. */
  maxFailures: number;
}

/** What a `wait` step parks for: a signal (with an optional time limit) or a fixed duration. */
export interface WaitPlan {
  /** The signal name that completes the step; absent for a durable sleep. */
  signal?: string;
  /** Signal wait: fail with `WAIT_TIMEOUT` after this long. Sleep: complete after this long. */
  dueInMs?: number;
}

/** A kind's own part of a step plan. */
export interface KindPlan {
  fanOut?: FanOut;
  /** The step parks instead of calling a tool (`wait`). */
  wait?: WaitPlan;
  /** Expressions of the kind's own keys (e.g. `map.items`), for the scope analysis. */
  expressions: readonly Expression[];
}

/** How a step is drawn in the workflow diagram. */
export interface KindDiagram {
  /** `box` for one call, `stack` for one call per item. */
  shape: 'box' | 'stack';
  /** Second line of the node label, e.g. `tool: scan_image` or `map image ∈ steps.list…`. */
  detail: string;
}

/**
 * One step kind: everything that differs between `tool`, `map`, `wait` and `workflow`.
 * The compiler, runtime, testing model and diagrams iterate over kinds through this; none of
 * them asks "is it a tool". Each kind is one file beside this one.
 */
export interface StepKind {
  readonly key: StepKindKey;
  /** The kind's branch of the definition schema. */
  readonly schema: z.ZodType;
  /** Resolves the kind's keys once, when the workflow is compiled. */
  plan(step: StepDefinition, index: number, definition: WorkflowDefinition): KindPlan;
  diagram(step: StepDefinition): KindDiagram;
  /**
   * Outcomes the exploration model (`orchkit/testing`) draws for one attempt of the step, from
   * the outcomes of its tool: a map step adds the step-level failure of too many failed items.
   */
  modelOutcomes(step: StepDefinition, toolOutcomes: readonly string[]): string[];
  /**
   * A kind whose call is not a tool call (`workflow`: a child run) makes it here; the call gets
   * the same attempts, retry, timeout and routing as a tool's. Absent: the step's tool is called.
   */
  readonly call?: (step: StepDefinition, call: ToolCallInput, signal: AbortSignal, services: WorkflowServices) => Promise<unknown>;
}
