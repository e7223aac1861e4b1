import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { stepRetry, stepTool } from '../definition/steps/stepTool.js';
import type { StepDefinitionInput, WorkflowDefinition, WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { effectiveTimeout } from './Outcome.js';

/** How {@link replayDefinition} treats time. */
export interface ReplayTimeOptions {
  /**
   * `exact`: keep the time limits, retry backoff and workflow timeout. `controlled`: every step's
   * time limit becomes a distinct sentinel (see {@link timeoutSentinel}) so one step's timeout can be
   * fired alone, retries wait 0 ms, and the workflow timeout (time is not modelled) is dropped.
   */
  time: 'exact' | 'controlled';
}

const SENTINEL_BASE_MS = 1_000_000_000;

/** The time limit the replay of the step at `index` gets when time is `controlled`. */
export function timeoutSentinel(index: number): number {
  return SENTINEL_BASE_MS + index;
}

/**
 * The definition a replay runs: the same steps, tools, dependencies, policies and concurrency,
 * with the data flow neutralised. Inputs become `{}` and the workflow output is dropped (stand-ins
 * return placeholders that the wiring could not read), and each `when` becomes the literal the
 * script decided (`"true"` by default). `onError: { route }` becomes `fail`: routing to a
 * remediation tool needs the supervisor's rules and a meaningful remediation answer, which a
 * stand-in cannot give, so a routed step is tested as one whose failure stands. The rest of the
 * control flow (dependencies, skips, retries, time limits, error policy, concurrency) is untouched.
 *
 * @example
 * const replay = replayDefinition(definition, tools, { build: false }, { time: 'exact' });
 */
export function replayDefinition(
  definition: WorkflowDefinition,
  tools: ToolRegistry,
  conditions: Readonly<Record<string, boolean>>,
  options: ReplayTimeOptions,
): WorkflowDefinitionInput {
  const controlled = options.time === 'controlled';
  const steps = definition.steps.map((step, index): StepDefinitionInput => {
    const common = {
      id: step.id,
      dependsOn: [...step.dependsOn],
      // Routing is not modelled: a routed failure stays a failure (see the note above).
      onError: step.onError === 'continue' ? ('continue' as const) : ('fail' as const),
      skipIfDependencySkipped: step.skipIfDependencySkipped,
      ...(step.when === undefined ? {} : { when: conditions[step.id] === false ? 'false' : 'true' }),
    };
    if ('wait' in step) {
      // A wait's time (its sleep, or its signal's time limit) becomes the step's sentinel too.
      const { signal, timeoutMs, durationMs } = step.wait;
      const time = (ms: number): number => (controlled ? timeoutSentinel(index) : ms);
      const wait = signal === undefined ? { durationMs: time(durationMs ?? 0) } : { signal, ...(timeoutMs === undefined ? {} : { timeoutMs: time(timeoutMs) }) };
      return { ...common, wait };
    }
    const tool = stepTool(step) ?? '';
    const retry = stepRetry(step);
    const limit = effectiveTimeout(step, tools.require(tool));
    return {
      ...common,
      tool,
      input: {},
      ...(limit === undefined ? {} : { timeoutMs: controlled ? timeoutSentinel(index) : limit }),
      ...(retry === undefined
        ? {}
        : {
            retry: controlled
              ? { maxAttempts: retry.maxAttempts, backoff: 'fixed', initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' }
              : { ...retry },
          }),
    };
  });
  return {
    id: definition.id,
    version: definition.version,
    errorPolicy: { ...definition.errorPolicy },
    ...(definition.concurrency === undefined ? {} : { concurrency: definition.concurrency }),
    ...(controlled || definition.timeoutMs === undefined ? {} : { timeoutMs: definition.timeoutMs }),
    steps,
  };
}
