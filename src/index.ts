// The core entry `orchkit`: named exports only. It loads no MCP, HTTP, WebSocket, SQLite or
// PostgreSQL module; those live in the sub-entries orchkit/mcp, orchkit/inspect, orchkit/tools,
// orchkit/conversation and orchkit/testing, and the stores load their driver on first use.

// Runtime
export { createRuntime } from './runtime/createRuntime.js';
export type { Runtime, RuntimeOptions, RuntimeStatus, ExecuteOptions, CallToolOptions, ResumeOptions } from './runtime/Runtime.js';
export type { SuspendReason } from './runtime/DurableRuns.js';
export type { WorkflowExecution } from './runtime/startExecution.js';
export type { WorkflowResult, StepResult } from './runtime/WorkflowResult.js';
export { createWorkflowRegistry } from './runtime/WorkflowRegistry.js';
export type { WorkflowRegistry, RegisteredWorkflow } from './runtime/WorkflowRegistry.js';
export { systemClock, rearmingClock, MAX_TIMER_DELAY_MS } from './machines/Clock.js';
export type { Clock } from './machines/Clock.js';
export type { SessionContext, ContextEntry, ShareOptions } from './actors/SessionContext.js';
export { createContextStore } from './runtime/ContextStore.js';
export type { ContextStore } from './runtime/ContextStore.js';
export { createMessageBus } from './runtime/MessageBus.js';
export type { MessageBus } from './runtime/MessageBus.js';
export { BusMessageSchema } from './runtime/BusMessage.js';
export type { BusMessage, BusMessageInput } from './runtime/BusMessage.js';

// Tools
export { defineTool } from './actors/defineTool.js';
export type { Tool, AnyTool, ToolDefinition, ToolErrorSpec } from './actors/defineTool.js';
export type { ToolContext, ToolProgress, ToolRequestOptions } from './actors/ToolContext.js';
export { createToolRegistry } from './actors/ToolRegistry.js';
export type { ToolRegistry } from './actors/ToolRegistry.js';
export { invokeTool } from './actors/invokeTool.js';

// Definitions
export { parseWorkflow } from './definition/parseWorkflow.js';
export type { ParseOptions } from './definition/parseWorkflow.js';
export { validateWorkflow } from './definition/validateWorkflow.js';
export { validateWorkflowAsync } from './definition/validateWorkflowAsync.js';
export { parseWorkflowAsync } from './definition/parseWorkflowAsync.js';
export type { ValidateOptions, ValidationResult } from './definition/validateWorkflow.js';
export { WorkflowDefinitionSchema, StepSchema, RetryPolicySchema, ErrorPolicySchema } from './definition/WorkflowDefinitionSchema.js';
export { DefinitionLimits } from './definition/DefinitionLimits.js';
export { DurationMsSchema, DelayMsSchema, MAX_DURATION_MS } from './definition/DurationSchema.js';
export type {
  WorkflowDefinition,
  WorkflowDefinitionInput,
  StepDefinition,
  StepDefinitionInput,
  RetryPolicy,
  ErrorPolicy,
} from './definition/WorkflowDefinitionSchema.js';
export { parseExpression } from './definition/Expression.js';
export type { Expression, ExpressionScope } from './definition/Expression.js';

// Machines
export { compileWorkflow } from './machines/workflow/compileWorkflow.js';
export type { CompileOptions } from './machines/workflow/compileWorkflow.js';
export { retryDelay } from './machines/workflow/retryDelay.js';
export { StepStatus, WorkflowStatus } from './machines/workflow/WorkflowContext.js';
export type { WorkflowContext, WorkflowMachineInput, WorkflowEvent, WorkflowEmitted, StepState } from './machines/workflow/WorkflowContext.js';

// Errors
export { OrchkitError, isOrchkitError } from './errors/OrchkitError.js';
export { ToolError, isToolError } from './errors/ToolError.js';
export type { ToolErrorOptions } from './errors/ToolError.js';
export { WorkflowValidationError, isWorkflowValidationError } from './errors/WorkflowValidationError.js';
export type { ValidationIssue, WorkflowValidationCode } from './errors/WorkflowValidationError.js';
export { RuntimeError, isRuntimeError, RuntimeErrorCode } from './errors/RuntimeError.js';
export { ExpressionError, isExpressionError } from './errors/ExpressionError.js';
export { ContextError, isContextError } from './errors/ContextError.js';
export { BusError, isBusError } from './errors/BusError.js';
export { ErrorType, ErrorInfoSchema } from './errors/ErrorInfo.js';
export type { ErrorInfo } from './errors/ErrorInfo.js';
export { workflowJsonSchema } from './definition/workflowJsonSchema.js';

// Supervisor: failure routing and restart strategies
export { defaultRoutingRules, activeRules } from './machines/supervisor/defaultRoutingRules.js';
export { FailureRoutingRuleSchema, stepRoutingRule } from './machines/supervisor/FailureRoutingRule.js';
export type { FailureRoutingRule, FailureRoutingRuleInput } from './machines/supervisor/FailureRoutingRule.js';
export { RemediationOutcomeSchema } from './machines/supervisor/RemediationOutcome.js';
export type { RouteDecision } from './machines/supervisor/RouteDecision.js';
export type { RestartStrategyInput, RestartDecision } from './machines/supervisor/RestartStrategy.js';
export type { Supervisor } from './runtime/createSupervisor.js';
export { supervisorMachine } from './machines/supervisor/supervisorMachine.js';
export { RoutingError, isRoutingError } from './errors/RoutingError.js';
export type { ToolInfo, HistoryStep } from './runtime/executionHistory.js';

// Call policies and metrics
export { createCallPolicies } from './runtime/policies/CallPolicies.js';
export type { CallPolicies, PolicySettingsInput } from './runtime/policies/CallPolicies.js';
export { circuitBreakerMachine, BreakerSettingsSchema } from './machines/breaker/circuitBreakerMachine.js';
export { createBulkhead } from './runtime/policies/Bulkhead.js';
export { createRuntimeMetrics } from './runtime/RuntimeMetrics.js';
export { OTHER_WORKFLOWS } from './runtime/RuntimeMetrics.js';
export type { MetricsSnapshot, StepMetrics, ToolMetrics } from './runtime/RuntimeMetrics.js';

// Durable executions
export { createStore } from './runtime/store/createStore.js';
export type { ExecutionStore, ExecutionRecord, JournalEntry } from './runtime/store/ExecutionStore.js';
export { StoreError, isStoreError } from './errors/StoreError.js';

// Schedules
export { ScheduleError, isScheduleError, ScheduleErrorCode } from './errors/ScheduleError.js';
export { ScheduleOverlap, ScheduleCatchUp, MAX_CATCH_UP, ScheduleOptionsSchema } from './runtime/schedules/ScheduleSpec.js';
export type { ScheduleOptions } from './runtime/schedules/ScheduleSpec.js';
export type { ScheduleControl } from './runtime/schedules/ScheduleControl.js';
export type { ScheduleState, Tick, TickKind, TickStatus } from './runtime/schedules/ScheduleStore.js';
export { scheduledCorrelationId } from './runtime/schedules/createScheduler.js';

// Task queues
export { QueueError, isQueueError, QueueErrorCode } from './errors/QueueError.js';
export { createWorker } from './runtime/queues/createWorker.js';
export type { Worker, WorkerOptions } from './runtime/queues/createWorker.js';
