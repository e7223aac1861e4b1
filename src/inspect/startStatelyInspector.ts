import { createWebSocketInspector } from '@statelyai/inspect';
import type { Logger } from 'pino';
import type { InspectionEvent, Observer } from 'xstate';
import { createInspectorRelay } from './createInspectorRelay.js';

/** Options of {@link startStatelyInspector}. */
export interface StatelyInspectorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How long to wait for the inspector's own socket before going on (its events wait, 200 at most). */
  connectTimeoutMs?: number;
  /** Stately inspector UI the bridge page embeds; `https://stately.ai/inspect` by default. */
  inspectorUrl?: string;
  logger?: Logger;
}

/** A running Stately inspection: pass `inspect` to `createRuntime`, open `url`. */
export interface StatelyInspector {
  /** The XState inspector (`@statelyai/inspect`'s WebSocket inspector) for `createRuntime({ inspect })`. */
  readonly inspect: Observer<InspectionEvent>;
  /** Bridge page on 127.0.0.1 that shows the run in Stately's inspector UI. */
  readonly url: string;
  /** The relay's WebSocket: any client connected here receives every inspection event. */
  readonly wsUrl: string;
  /** Closes the inspector's socket, then the relay. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a loopback relay for `@statelyai/inspect` and connects its WebSocket inspector to it,
 * waiting for the connection so that no early event is dropped.
 *
 * @example
 * const inspector = await startStatelyInspector();
 * const runtime = createRuntime({ tools, inspect: inspector.inspect });
 * logger.info({ url: inspector.url }, 'inspector ready');
 * // ... later
 * await runtime.stop();
 * await inspector.stop();
 */
export async function startStatelyInspector(options: StatelyInspectorOptions = {}): Promise<StatelyInspector> {
  const relay = await createInspectorRelay({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.inspectorUrl === undefined ? {} : { inspectorUrl: options.inspectorUrl }),
  });
  const inspector = createWebSocketInspector({ url: `${relay.wsUrl}/?role=runtime` });
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  let timer: NodeJS.Timeout | undefined;
  const connected = await Promise.race([
    relay.producerConnected().then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!connected) options.logger?.warn({ url: relay.wsUrl, timeoutMs }, 'the Stately inspector did not connect to its relay in time; early events may be dropped');

  let stopping: Promise<void> | undefined;
  return {
    inspect: inspector.inspect,
    url: relay.url,
    wsUrl: relay.wsUrl,
    stop() {
      stopping ??= (async () => {
        // Close the inspector's socket first: cut from the server side it would see an error
        // and retry every 5 s, keeping the process alive.
        const closed = relay.producersClosed();
        inspector.stop();
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
        await relay.close();
      })();
      return stopping;
    },
  };
}
