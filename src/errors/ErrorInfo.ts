import { z } from 'zod';

/** Broad class of a failure; routing rules and retry decisions match on it. */
export const ErrorType = {
  validation: 'validation_error',
  execution: 'execution_error',
  timeout: 'timeout',
  cancelled: 'cancelled',
  crash: 'crash',
  expression: 'expression_error',
  unavailable: 'unavailable',
  notFound: 'not_found',
  auth: 'auth_error',
  security: 'security_error',
  limit: 'limit_exceeded',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** The JSON form of an error, as stored in machine context and in `StepResult.error`. */
export const ErrorInfoSchema = z.object({
  type: z.string(),
  code: z.string(),
  message: z.string(),
  retryable: z.boolean().optional(),
  tool: z.string().optional(),
  details: z.unknown().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;
