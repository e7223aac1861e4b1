import type { AnyTool } from '../actors/defineTool.js';
import { stepTool } from '../definition/steps/stepTool.js';
import { requireToolSteps } from './requireToolSteps.js';
import { createToolRegistry } from '../actors/ToolRegistry.js';
import { validateWorkflow } from '../definition/validateWorkflow.js';
import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';
import type { WorkflowStatus } from '../machines/workflow/WorkflowContext.js';
import { buildWorkflowModel } from './buildWorkflowModel.js';
import { checkPrediction } from './checkPrediction.js';
import { checkRunInvariants } from './checkRunInvariants.js';
import { checkScriptConsistency } from './checkScriptConsistency.js';
import { BuiltInInvariant, checkUserInvariants, type Breach, type Invariant } from './Invariant.js';
import type { OutcomeFilter } from './Outcome.js';
import { arbitraryOutcomeScript, type OutcomeScript } from './OutcomeScript.js';
import { predictScript } from './predictScript.js';
import { replayDefinition } from './replayDefinition.js';
import type { RuntimeFactory } from './ReplayRun.js';
import { runScript } from './runScript.js';
import { fastCheck } from './fastCheck.js';

/** Options of {@link checkWorkflow}. */
export interface CheckOptions {
  /** The real tools; stand-ins with their names and declared errors run in their place. */
  tools: Iterable<AnyTool>;
  /** Checked on every run, next to the built-in invariants. */
  invariants?: readonly Invariant[];
  /** Random scripts to try (default 100). */
  numRuns?: number;
  /** fast-check seed, to replay a failure. */
  seed?: number;
  /** Narrows the outcomes drawn, by tool name or step id. */
  outcomes?: OutcomeFilter;
  /** Builds the runtime of each run (default `createRuntime`). */
  runtimeFactory?: RuntimeFactory;
}

/** A script that breaks an invariant, shrunk by fast-check. */
export interface Counterexample {
  script: OutcomeScript;
  status: WorkflowStatus;
  breaches: Breach[];
}

/** What {@link checkWorkflow} found. */
export interface CheckReport {
  ok: boolean;
  numRuns: number;
  seed: number;
  counterexample?: Counterexample;
}

/**
 * Property-based test of a workflow: fast-check draws outcome scripts (an outcome per attempt of
 * every step, a decision per `when`) and each runs on the real runtime, at full concurrency and
 * in simulated time, with stand-ins of the tools. Every run is checked against the built-in
 * invariants (terminal end, dependency order, attempts, nothing left running, agreement with the
 * script, and, when the outcome cannot depend on timing, the model's prediction) and yours. A
 * failure comes back shrunk, as a result value.
 *
 * @example
 * const report = await checkWorkflow(definition, { tools, numRuns: 200 });
 * expect(report.counterexample).toBeUndefined();
 */
export async function checkWorkflow(definition: WorkflowDefinitionInput, options: CheckOptions): Promise<CheckReport> {
  const fc = fastCheck('checkWorkflow');
  const tools = [...options.tools];
  const registry = createToolRegistry(tools);
  const checked = validateWorkflow(definition, { tools: registry });
  if (!checked.success) throw new WorkflowValidationError(checked.issues);
  const valid = checked.definition;
  requireToolSteps(valid);
  const model = buildWorkflowModel(valid, registry, options.outcomes);
  // Under `continue` without a limit or a deadline, each step's fate is independent of timing.
  const orderFree = valid.errorPolicy.mode === 'continue' && valid.errorPolicy.maxFailures === undefined && valid.timeoutMs === undefined;
  const stepTools = new Map(valid.steps.map((s) => [s.id, stepTool(s) ?? '']));
  const replays = new Map<string, WorkflowDefinitionInput>();

  const breachesOf = async (script: OutcomeScript): Promise<Counterexample> => {
    const key = JSON.stringify(script.conditions);
    let replay = replays.get(key);
    if (!replay) replays.set(key, (replay = replayDefinition(valid, registry, script.conditions, { time: 'exact' })));
    const run = await runScript(script, { definition: replay, tools, stepTools, runtimeFactory: options.runtimeFactory });
    const breaches = [
      ...checkRunInvariants(valid, run),
      ...checkScriptConsistency(valid, registry, run, script),
      ...checkUserInvariants(options.invariants ?? [], run.result, run.trace),
    ];
    const prediction = orderFree && run.stalled === undefined ? predictScript(model, script) : undefined;
    if (prediction) breaches.push(...checkPrediction(valid, run, prediction).filter((b) => b.invariant === BuiltInInvariant.prediction));
    return { script, status: run.result.status, breaches };
  };

  const details = await fc.check(
    fc.asyncProperty(arbitraryOutcomeScript(valid, registry, options.outcomes), async (script) => (await breachesOf(script)).breaches.length === 0),
    { numRuns: options.numRuns ?? 100, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
  const report: CheckReport = { ok: !details.failed, numRuns: details.numRuns, seed: details.seed };
  const script = details.counterexample?.[0];
  if (details.failed && script) report.counterexample = await breachesOf(script);
  return report;
}
