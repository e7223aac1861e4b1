import { BusError, BusErrorCode } from '../../errors/BusError.js';
import type { BusMessage } from '../BusMessage.js';
import { isPromiseLike, type MessageHandler } from './Registration.js';

/** Sends a reply (`error` set: a failure reply); may throw once the bus is closed. */
export type SendReply = (request: BusMessage, payload: unknown, error?: unknown) => void;

/** The two hooks a responder subscription needs. */
export interface Responder {
  /** Runs the user's handler for one request and replies with its result or error. */
  readonly serve: MessageHandler<undefined>;
  /** Fails a request that the responder's full buffer dropped, so the requester need not time out. */
  readonly onDrop: (dropped: BusMessage) => void;
}

/**
 * Adapts a request handler into the hooks of a `consume` subscription. A handler that returns
 * a plain value is answered on the spot; only a promise costs a microtask hop. Messages without
 * `replyTo` are not requests and are ignored.
 */
export function createResponder(
  key: string,
  handler: (request: BusMessage, signal: AbortSignal) => unknown,
  sendReply: SendReply,
): Responder {
  const answer = (request: BusMessage, payload: unknown, error?: unknown): undefined => {
    try {
      sendReply(request, payload, error);
    } catch {
      /* the bus closed meanwhile: nobody is left to tell */
    }
    return undefined;
  };
  return {
    serve(request, signal) {
      if (request.replyTo === undefined) return undefined;
      let result: unknown;
      try {
        result = handler(request, signal);
      } catch (error) {
        return answer(request, undefined, error ?? new Error('responder threw undefined'));
      }
      if (!isPromiseLike(result)) return answer(request, result);
      return Promise.resolve(result).then(
        (value) => answer(request, value),
        (error: unknown) => answer(request, undefined, error ?? new Error('responder rejected with undefined')),
      );
    },
    onDrop(dropped) {
      if (dropped.replyTo === undefined) return;
      answer(dropped, undefined, new BusError(BusErrorCode.overflow, `responder "${key}" dropped the request: its buffer is full`));
    },
  };
}
