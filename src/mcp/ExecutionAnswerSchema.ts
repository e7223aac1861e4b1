import { z } from 'zod';

const StepAnswerSchema = z.looseObject({ status: z.string(), attempts: z.number() });

/**
 * What `execute_workflow` and the execution controls answer: a `WorkflowResult` (finished), a
 * running or started execution with its step states, or a stored execution (`StoredStatus`).
 * Loose: each of those shapes adds its own fields.
 */
export const ExecutionAnswerSchema = z.looseObject({
  executionId: z.string(),
  workflowId: z.string().optional(),
  version: z.string().optional(),
  correlationId: z.string().optional(),
  sessionId: z.string().optional(),
  status: z.string().describe('completed | failed | cancelled | timed_out | running | paused | suspended'),
  durationMs: z.number().optional(),
  steps: z.record(z.string(), StepAnswerSchema).optional(),
  output: z.unknown().optional(),
  error: z.looseObject({ code: z.string(), type: z.string(), message: z.string(), stepId: z.string().optional() }).optional(),
  owner: z.string().nullable().optional(),
  reason: z.string().optional(),
  result: z.unknown().optional(),
});
