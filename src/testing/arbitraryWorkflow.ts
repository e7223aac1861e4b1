import type { Arbitrary } from 'fast-check';
import type { AnyTool } from '../actors/defineTool.js';
import type { StepDefinitionInput, WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { fastCheck } from './fastCheck.js';

/** Options of {@link arbitraryWorkflow}. */
export interface ArbitraryWorkflowOptions {
  /** Tools the steps call (at least one). */
  tools: readonly AnyTool[];
  /** Most steps in a definition (default 8). */
  maxSteps?: number;
  /** Most dependencies of a step (default 3). */
  maxDependencies?: number;
  /** Most attempts of a retry policy (default 3; 1 draws no retries). */
  maxAttempts?: number;
  /** Draw `when` conditions, `onError: continue`, time limits, error policies and a concurrency limit (default true). */
  policies?: boolean;
}

/**
 * Random valid workflow definitions over the given tools: a DAG (a step depends only on earlier
 * steps), with retries, time limits, `when` conditions on a dependency's status, `onError`,
 * `skipIfDependencySkipped`, error policies and concurrency limits. Every step has `input: {}`:
 * the definitions validate (wiring is only checked for the keys given), but a run with the real
 * tools needs tools whose input schema accepts `{}`; `checkWorkflow` and `exploreWorkflow` run
 * stand-ins, which accept anything.
 *
 * @example
 * fc.assert(fc.property(arbitraryWorkflow({ tools }), (definition) => validateWorkflow(definition, { tools }).success));
 */
export function arbitraryWorkflow(options: ArbitraryWorkflowOptions): Arbitrary<WorkflowDefinitionInput> {
  const fc = fastCheck('arbitraryWorkflow');
  const names = options.tools.map((t) => t.name);
  const policies = options.policies ?? true;
  const maxAttempts = options.maxAttempts ?? 3;
  const step = (index: number): Arbitrary<StepDefinitionInput> =>
    fc
      .record({
        tool: fc.constantFrom(...names),
        dependsOn: fc.subarray(
          Array.from({ length: index }, (_, i) => `s${i}`),
          { maxLength: Math.min(index, options.maxDependencies ?? 3) },
        ),
        attempts: fc.integer({ min: 1, max: maxAttempts }),
        timeoutMs: policies ? fc.option(fc.integer({ min: 100, max: 60_000 }), { nil: undefined }) : fc.constant(undefined),
        when: policies ? fc.boolean() : fc.constant(false),
        onError: policies ? fc.constantFrom<'fail' | 'continue'>('fail', 'fail', 'continue') : fc.constant<'fail' | 'continue'>('fail'),
        skipIfDependencySkipped: fc.boolean(),
      })
      .map((s): StepDefinitionInput => {
        const [first] = s.dependsOn;
        return {
          id: `s${index}`,
          tool: s.tool,
          input: {},
          ...(s.dependsOn.length > 0 ? { dependsOn: s.dependsOn, skipIfDependencySkipped: s.skipIfDependencySkipped } : {}),
          ...(s.when ? { when: first === undefined ? 'true' : `steps.${first}.status == "completed"` } : {}),
          ...(s.attempts > 1 ? { retry: { maxAttempts: s.attempts, initialDelayMs: 100, jitter: 'none' as const } } : {}),
          ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }),
          ...(s.onError === 'continue' ? { onError: 'continue' as const } : {}),
        };
      });
  return fc.integer({ min: 1, max: options.maxSteps ?? 8 }).chain((size) =>
    fc
      .record({
        steps: fc.tuple(...Array.from({ length: size }, (_, i) => step(i))),
        mode: policies ? fc.constantFrom<'fail_fast' | 'continue'>('fail_fast', 'continue') : fc.constant<'fail_fast' | 'continue'>('fail_fast'),
        maxFailures: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        concurrency: policies ? fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) : fc.constant(undefined),
      })
      .map(
        ({ steps, mode, maxFailures, concurrency }): WorkflowDefinitionInput => ({
          id: 'arbitrary',
          steps,
          errorPolicy: mode === 'continue' && maxFailures !== undefined ? { mode, maxFailures } : { mode },
          ...(concurrency === undefined ? {} : { concurrency }),
        }),
      ),
  );
}
