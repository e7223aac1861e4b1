import type { BusMessage } from '../runtime/BusMessage.js';
import type { WorkflowResult } from '../runtime/WorkflowResult.js';

/**
 * A property every run must have. `check` returns `true` when it holds, and `false` or a message
 * saying what went wrong when it does not; a throw counts as a violation too.
 *
 * @example
 * const noSecretsLeak: Invariant = {
 *   name: 'push waits for the scan',
 *   check: (result) => result.steps.push?.status !== 'completed' || result.steps.scan?.status === 'completed',
 * };
 */
export interface Invariant {
  readonly name: string;
  check(result: WorkflowResult, trace: readonly BusMessage[]): boolean | string;
}

/**
 * The invariants every replay is checked against, by name.
 *
 * @example
 * const broken = report.violations.filter((v) => v.invariant === BuiltInInvariant.dependencyOrder);
 */
export const BuiltInInvariant = {
  /** The run ends completed, failed, cancelled or timed out, and the driver could follow the script. */
  terminal: 'terminal-status',
  /** No `step.started` before every dependency's `step.completed` (or skip, when allowed). */
  dependencyOrder: 'dependency-order',
  /** No step tried more often than its `retry.maxAttempts` (1 without retry). */
  maxAttempts: 'max-attempts',
  /** A step whose outcomes fail it ends `failed` (or routed to a remediation). */
  declaredFailures: 'declared-failures',
  /** Workflow and step statuses, attempts and error codes are what the abstract model predicts. */
  prediction: 'model-prediction',
  /** No execution listed after the result; no timer pending after `runtime.stop()`. */
  leftovers: 'nothing-left-running',
  /** Every tool call is an attempt of a step of that tool that the script accounts for. */
  expectedCalls: 'expected-calls',
  /** Each step's status, attempts and error agree with the outcomes its script gave (random scripts). */
  scriptConsistency: 'script-consistency',
} as const;
export type BuiltInInvariant = (typeof BuiltInInvariant)[keyof typeof BuiltInInvariant];

/** One broken invariant on one run. */
export interface Breach {
  invariant: string;
  message: string;
}

/** Runs user invariants; a throw is a breach with the error's message. */
export function checkUserInvariants(invariants: readonly Invariant[], result: WorkflowResult, trace: readonly BusMessage[]): Breach[] {
  const breaches: Breach[] = [];
  for (const invariant of invariants) {
    let verdict: boolean | string;
    try {
      verdict = invariant.check(result, trace);
    } catch (error) {
      verdict = `threw: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (verdict === true) continue;
    breaches.push({ invariant: invariant.name, message: verdict === false ? `${invariant.name} does not hold` : verdict });
  }
  return breaches;
}
