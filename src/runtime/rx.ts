import { filter, fromEvent, map, takeUntil, type MonoTypeOperatorFunction, type OperatorFunction } from 'rxjs';
import type { BusMessage } from './BusMessage.js';

/**
 * The RxJS helpers orchkit uses, in one place instead of ad-hoc pipes.
 * Bounded buffering lives in the bus itself (`bus.consume`, `subscribe(..., { async: true })`),
 * because only the bus can count what a full buffer drops.
 */

/**
 * Keeps the messages of the given types.
 *
 * @example
 * bus.messages$.pipe(ofType('step.failed', 'step.completed'))
 */
export function ofType<M extends BusMessage = BusMessage>(...types: string[]): MonoTypeOperatorFunction<M> {
  if (types.length === 1) {
    const only = types[0];
    return filter((message) => message.type === only);
  }
  const wanted = new Set(types);
  return filter((message) => wanted.has(message.type));
}

/**
 * Keeps the messages of one correlation (one execution, one request chain).
 *
 * @example
 * bus.messages$.pipe(ofCorrelation(result.correlationId))
 */
export function ofCorrelation<M extends BusMessage = BusMessage>(correlationId: string): MonoTypeOperatorFunction<M> {
  return filter((message) => message.correlationId === correlationId);
}

/**
 * Maps each message to its payload, typed by the caller.
 *
 * @example
 * bus.subscribe('step.progress').pipe(payloadOf<{ percent: number }>())
 */
export function payloadOf<P>(): OperatorFunction<BusMessage, P> {
  return map((message) => message.payload as P);
}

/**
 * Completes the stream when `signal` aborts (at once if it already has).
 *
 * @example
 * bus.subscribe('step.>').pipe(takeUntilAborted(ctx.signal))
 */
export function takeUntilAborted<T>(signal: AbortSignal): MonoTypeOperatorFunction<T> {
  return takeUntil<T>(signal.aborted ? [true] : fromEvent(signal, 'abort'));
}
