import { topLevelMessages } from '../runtime/bus/topLevelMessages.js';
import { filter } from 'rxjs';
import type { MessageBus } from '../runtime/MessageBus.js';
import type { McpRequestExtra } from './registerMcpTool.js';

/** Progress forwarding of one request; `stop` unsubscribes and waits for the notifications sent. */
export interface ProgressForwarding {
  stop(): Promise<void>;
}

const SETTLED = new Set(['step.completed', 'step.failed', 'step.skipped']);

/**
 * Forwards the bus messages of one correlation as MCP `notifications/progress`, when the client
 * sent a `progressToken`: one per settled step (`progress` = steps settled, `total` = steps), and
 * one per `tool.progress` report of a direct tool call. Subscribe before the run starts so that
 * no step is missed; progress only grows, as the protocol requires.
 *
 * @example
 * const progress = forwardProgress(runtime.bus, correlationId, extra, definition.steps.length);
 * try { await execution.result } finally { await progress.stop() }
 */
export function forwardProgress(bus: MessageBus, correlationId: string, extra: McpRequestExtra, total?: number): ProgressForwarding {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return { stop: async () => undefined };
  const sent: Promise<void>[] = [];
  let progress = 0;
  const send = (message: string): void => {
    const params = { progressToken, progress, message, ...(total === undefined ? {} : { total }) };
    // A client gone mid-run must not fail the run: a lost notification is only logged by the SDK.
    sent.push(extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined));
  };
  const subscription = bus.messages$.pipe(filter((message) => message.correlationId === correlationId), filter(topLevelMessages())).subscribe((message) => {
    if (SETTLED.has(message.type) && message.stepId !== undefined) {
      progress += 1;
      send(`${message.stepId} ${message.type.slice('step.'.length)}`);
    } else if (message.type === 'tool.progress') {
      const report = message.payload as { message?: string; fraction?: number };
      progress += 1;
      send(report.message ?? `${Math.round((report.fraction ?? 0) * 100)}%`);
    }
  });
  return {
    async stop() {
      subscription.unsubscribe();
      await Promise.all(sent);
    },
  };
}
