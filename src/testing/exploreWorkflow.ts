import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { stepTool } from '../definition/steps/stepTool.js';
import { getShortestPaths, type StatePath } from 'xstate/graph';
import type { AnyTool } from '../actors/defineTool.js';
import { createToolRegistry } from '../actors/ToolRegistry.js';
import { validateWorkflow } from '../definition/validateWorkflow.js';
import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';
import type { WorkflowStatus } from '../machines/workflow/WorkflowContext.js';
import { buildWorkflowModel } from './buildWorkflowModel.js';
import { checkPrediction } from './checkPrediction.js';
import { checkRunInvariants } from './checkRunInvariants.js';
import { checkUserInvariants, type Invariant } from './Invariant.js';
import { countCoverage, createCoverageTracker, type Coverage } from './modelCoverage.js';
import { Outcome, parseOutcomeEvent, type OutcomeFilter } from './Outcome.js';
import { replayDefinition } from './replayDefinition.js';
import { replayPath } from './replayPath.js';
import type { RuntimeFactory } from './ReplayRun.js';
import { shortestViolations, type Violation } from './Violation.js';

/** Options of {@link exploreWorkflow}. */
export interface ExploreOptions {
  /** The real tools: their names, declared `errors` and default time limits shape the model. */
  tools: Iterable<AnyTool>;
  /** Narrows the outcomes explored, by tool name or step id: `{ build_image: ['OK', 'BUILD_FAILED'] }`. */
  outcomes?: OutcomeFilter;
  /** Replays at most this many paths, the shortest first (default 2 000). */
  maxPaths?: number;
  /** Gives up deriving the model past this many states (default 25 000; about 5 s): narrow `outcomes`, or raise it. */
  maxStates?: number;
  /** Checked on every replay, next to the built-in invariants. */
  invariants?: readonly Invariant[];
  /** Builds the runtime of each replay (default `createRuntime`); wrap it to plant a fault. */
  runtimeFactory?: RuntimeFactory;
}

/** One replayed path. */
export interface ExploredPath {
  /** Model events in order: `analyze.OK`, `dockerfile.CONDITION_FALSE`, `build.TIMEOUT`. */
  events: string[];
  /** Status of the real run. */
  result: WorkflowStatus;
  /** Status the abstract model predicts. */
  predicted: 'completed' | 'failed';
  /** Invariants this replay broke. */
  violated: string[];
}

/** What {@link exploreWorkflow} found. */
export interface Exploration {
  paths: ExploredPath[];
  /** Complete paths of the model; more than `paths.length` when `maxPaths` cut the replay short. */
  modelPaths: number;
  /** Model states and transitions the replayed paths went through, over those any path reaches. */
  coverage: Coverage;
  /** Each broken invariant once, with its shortest violating path. */
  violations: Violation[];
}

/**
 * Model-based test of a workflow: derives an abstract state machine from the definition (one
 * outcome event per tool call: `OK`, each declared error code, `TIMEOUT` when the step has a
 * limit, and both decisions of a `when`), enumerates its complete paths with `xstate/graph`'s
 * `getShortestPaths`, and replays every path on the real runtime with scripted stand-ins of the
 * tools. Each replay is checked against the model's prediction, the built-in invariants and
 * yours. Outcomes come in a canonical order (see `buildWorkflowModel`): concurrency interleavings
 * are not enumerated, and data flow (inputs, output, condition expressions) is not modelled.
 *
 * @example
 * const report = await exploreWorkflow(definition, { tools: [analyze, build] });
 * expect(report.violations).toEqual([]);
 */
export async function exploreWorkflow(definition: WorkflowDefinitionInput, options: ExploreOptions): Promise<Exploration> {
  const tools = [...options.tools];
  const registry = createToolRegistry(tools);
  const checked = validateWorkflow(definition, { tools: registry });
  if (!checked.success) throw new WorkflowValidationError(checked.issues);
  const model = buildWorkflowModel(checked.definition, registry, options.outcomes);
  const maxStates = options.maxStates ?? 25_000;
  let modelPaths: StatePath<AnyMachineSnapshot, EventObject>[];
  try {
    modelPaths = getShortestPaths(model.machine, {
      toState: (state) => state.status === 'done',
      filterEvents: (state, event: EventObject) => !event.type.startsWith('xstate.') && state.can(event),
      limit: maxStates,
    }) as StatePath<AnyMachineSnapshot, EventObject>[];
    modelPaths.sort((a, b) => a.steps.length - b.steps.length);
  } catch (error) {
    throw new RuntimeError('INVALID_OPTION', `the model of "${checked.definition.id}" has more than ${maxStates} states; narrow \`outcomes\` (fewer error codes per tool, or none for some steps) or raise \`maxStates\``, { cause: error });
  }

  const steps = new Map(checked.definition.steps.map((s, index) => [s.id, { tool: stepTool(s) ?? '', index, ...('wait' in s ? { wait: { signal: s.wait.signal } } : {}) }]));
  const tracker = createCoverageTracker(
    model.machine,
    checked.definition.steps.map((s) => `running.${s.id}.waiting`),
  );
  const reachable = new Set<string>();
  const covered = new Set<string>();
  const paths: ExploredPath[] = [];
  const breaches: { invariant: string; message: string; path: string[] }[] = [];
  for (const [index, path] of modelPaths.entries()) {
    const elements = tracker.elementsOf(path.steps);
    elements.forEach((e) => reachable.add(e));
    if (index >= (options.maxPaths ?? 2_000)) continue;
    elements.forEach((e) => covered.add(e));

    const events = path.steps.slice(1).map((s) => s.event.type);
    const conditions: Record<string, boolean> = {};
    for (const { stepId, outcome } of events.map(parseOutcomeEvent)) {
      if (outcome === Outcome.conditionTrue || outcome === Outcome.conditionFalse) conditions[stepId] = outcome === Outcome.conditionTrue;
    }
    const run = await replayPath(events, {
      definition: replayDefinition(checked.definition, registry, conditions, { time: 'controlled' }),
      tools,
      steps,
      runtimeFactory: options.runtimeFactory,
    });
    const prediction = model.predict(path.state);
    const found = [
      ...checkRunInvariants(checked.definition, run),
      ...checkPrediction(checked.definition, run, prediction),
      ...checkUserInvariants(options.invariants ?? [], run.result, run.trace),
    ];
    found.forEach((b) => breaches.push({ ...b, path: events }));
    paths.push({ events, result: run.result.status, predicted: prediction.status, violated: [...new Set(found.map((b) => b.invariant))] });
  }
  return { paths, modelPaths: modelPaths.length, coverage: countCoverage(reachable, covered), violations: shortestViolations(breaches) };
}
