// orchkit/testing: model-based and property-based tests of workflows. Named exports only.

// Model-based exploration
export { exploreWorkflow } from './exploreWorkflow.js';
export type { ExploreOptions, Exploration, ExploredPath } from './exploreWorkflow.js';
export { buildWorkflowModel } from './buildWorkflowModel.js';
export type { WorkflowModel, ModelContext, ModelStep, ModelPrediction } from './buildWorkflowModel.js';
export type { Coverage, CoverageCount } from './modelCoverage.js';
export type { Violation } from './Violation.js';

// Property-based checks
export { checkWorkflow } from './checkWorkflow.js';
export type { CheckOptions, CheckReport, Counterexample } from './checkWorkflow.js';
export { arbitraryWorkflow } from './arbitraryWorkflow.js';
export type { ArbitraryWorkflowOptions } from './arbitraryWorkflow.js';
export { arbitraryToolBehaviour } from './arbitraryToolBehaviour.js';
export type { ToolBehaviourOptions } from './arbitraryToolBehaviour.js';
export { arbitraryOutcomeScript, scriptedOutcome } from './OutcomeScript.js';
export type { OutcomeScript } from './OutcomeScript.js';

// Invariants and outcomes
export { BuiltInInvariant } from './Invariant.js';
export type { Invariant, Breach } from './Invariant.js';
export { Outcome, outcomeEvent, parseOutcomeEvent } from './Outcome.js';
export type { OutcomeFilter } from './Outcome.js';

// Building blocks for custom harnesses
export { createReplayClock } from './ReplayClock.js';
export type { ReplayClock, PendingTimer } from './ReplayClock.js';
export { createStandIns } from './createStandIns.js';
export type { StandInCall, StandInHandler } from './createStandIns.js';
export type { ReplayRun, RuntimeFactory } from './ReplayRun.js';
