import type { BusMessage } from '../BusMessage.js';

/**
 * A filter over one correlation's messages that keeps its top-level run's and drops those of its
 * child runs (`workflow` steps) and compensations, which share the correlationId: their steps may
 * carry the same ids as the parent's. The top-level run is the first whose `execution.started`
 * names no parent; until it starts, every message passes.
 *
 * @example
 * bus.messages$.pipe(filter((m) => m.correlationId === correlationId), filter(topLevelMessages()));
 */
export function topLevelMessages(): (message: BusMessage) => boolean {
  let top: string | undefined;
  return (message) => {
    if (top === undefined && message.type === 'execution.started' && (message.payload as { parent?: unknown } | undefined)?.parent === undefined) top = message.executionId;
    return top === undefined || message.executionId === top;
  };
}
