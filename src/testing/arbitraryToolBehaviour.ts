import type { Arbitrary } from 'fast-check';
import type { AnyTool } from '../actors/defineTool.js';
import { Outcome } from './Outcome.js';
import { fastCheck } from './fastCheck.js';

/** Options of {@link arbitraryToolBehaviour}. */
export interface ToolBehaviourOptions {
  /** Length of the script: one outcome per attempt (default 3). */
  attempts?: number;
  /** Include `TIMEOUT` (default true); only meaningful when the step has a time limit. */
  timeout?: boolean;
  /** Outcomes to draw from instead of `OK`, the tool's error codes and `TIMEOUT`. */
  outcomes?: readonly string[];
}

/**
 * Per-attempt outcome scripts for one tool: `['TIMEOUT', 'OK']` times the first attempt out and
 * lets the second succeed. `OK` is drawn two times in three; otherwise one of the tool's declared
 * error codes (`FAILED` for no tool) or `TIMEOUT`, evenly.
 *
 * @example
 * fc.assert(fc.property(arbitraryToolBehaviour(buildImage), (script) => script.length === 3));
 */
export function arbitraryToolBehaviour(tool?: AnyTool, options: ToolBehaviourOptions = {}): Arbitrary<string[]> {
  const fc = fastCheck('arbitraryToolBehaviour');
  const attempts = options.attempts ?? 3;
  const failures = (options.outcomes ?? [...(tool ? Object.keys(tool.errors) : ['FAILED']), ...(options.timeout === false ? [] : [Outcome.timeout])]).filter(
    (o) => o !== Outcome.ok,
  );
  const allowOk = options.outcomes === undefined || options.outcomes.includes(Outcome.ok);
  const one: Arbitrary<string> =
    failures.length === 0
      ? fc.constant(Outcome.ok)
      : allowOk
        ? fc.oneof({ arbitrary: fc.constant(Outcome.ok), weight: 2 * failures.length }, ...failures.map((f) => ({ arbitrary: fc.constant(f), weight: 1 })))
        : fc.constantFrom(...failures);
  return fc.array(one, { minLength: attempts, maxLength: attempts });
}
