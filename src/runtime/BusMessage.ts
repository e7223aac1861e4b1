import { z } from 'zod';
import { ErrorInfoSchema } from '../errors/ErrorInfo.js';

/**
 * A concrete topic: dot-separated non-empty segments without wildcards or whitespace,
 * e.g. `workflow.containerize.step.started`.
 */
export const TopicSchema = z
  .string()
  .regex(/^[^.*>\s]+(\.[^.*>\s]+)*$/, 'a topic is dot-separated non-empty segments without "*", ">" or spaces');

/**
 * The envelope of every message on the bus.
 *
 * Conventions:
 * - `type` says what happened (`step.started`); `topic` says where it is routed. The topic
 *   defaults to the type; a publisher may give a more specific topic
 *   (`workflow.containerize.step.started`) so subscribers can narrow with patterns.
 * - `correlationId` groups every message of one conversation (an execution, a request). It
 *   defaults to the message's own id: a message without one starts a new correlation.
 * - `causationId` is the id of the message that caused this one (`null` for a root message),
 *   so `trace(correlationId)` can be read as a causal chain.
 * - A request carries `replyTo` (the inbox topic of its reply, `_inbox.<request id>`; topics under
 *   `_inbox.` are reserved for replies); a reply carries `inReplyTo` (the request's id), type
 *   `<request type>.reply` and, when the responder failed, `error`.
 */
export const BusMessageSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  topic: TopicSchema,
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  sessionId: z.string().optional(),
  executionId: z.string().optional(),
  stepId: z.string().optional(),
  replyTo: TopicSchema.optional(),
  inReplyTo: z.string().min(1).optional(),
  error: ErrorInfoSchema.optional(),
  timestamp: z.number().finite(),
  payload: z.unknown(),
});

/** A message as delivered by the bus; treat it as immutable, every subscriber shares it. */
export type BusMessage = z.infer<typeof BusMessageSchema>;

/**
 * What callers pass to `publish`: the bus fills `id` and `timestamp`, `topic` defaults to
 * `type`, `correlationId` to the new id, and `causationId` to `null`.
 */
export type BusMessageInput = Omit<BusMessage, 'id' | 'timestamp' | 'topic' | 'correlationId' | 'causationId' | 'payload'> & {
  id?: string;
  timestamp?: number;
  topic?: string;
  correlationId?: string;
  causationId?: string | null;
  payload?: unknown;
};
