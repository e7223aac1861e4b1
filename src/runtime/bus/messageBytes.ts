import type { BusMessage } from '../BusMessage.js';
import { approxBytes } from './approxBytes.js';

/** Key names, punctuation and the timestamp of an envelope, about. */
const ENVELOPE_BYTES = 160;
const len = (value: string | null | undefined): number => (typeof value === 'string' ? value.length : 0);

/**
 * About how many bytes a bus message takes as JSON: its envelope's strings read field by field
 * (walking the envelope generically cost ten times the payload of a step event), plus
 * `approxBytes` of its payload and error. Past `cap` it returns `cap + 1`, as `approxBytes` does.
 *
 * @example
 * messageBytes(bus.publish({ type: 't', payload: 'x'.repeat(1000) })); // ~1,200
 */
export function messageBytes(message: BusMessage, cap = Number.POSITIVE_INFINITY): number {
  const envelope =
    ENVELOPE_BYTES +
    len(message.id) +
    len(message.type) +
    len(message.topic) +
    len(message.correlationId) +
    len(message.causationId) +
    len(message.sessionId) +
    len(message.executionId) +
    len(message.stepId) +
    len(message.replyTo) +
    len(message.inReplyTo);
  const body = approxBytes(message.payload, cap) + (message.error === undefined ? 0 : approxBytes(message.error, cap));
  return Math.min(envelope + body, cap + 1);
}
