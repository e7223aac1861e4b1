import { WebSocket } from 'ws';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { workflowGraph } from '../visualize/workflowGraph.js';
import type { BusMessage } from '../runtime/BusMessage.js';
import type { MessageBus } from '../runtime/MessageBus.js';
import { ofCorrelation, ofType } from '../runtime/rx.js';
import { INSPECTOR_PAGE_CSP, inspectorPage } from './inspectorPage.js';
import { layoutWorkflowGraph } from '../visualize/layoutWorkflowGraph.js';
import { serveLoopback } from './serveLoopback.js';
import { workflowSvg } from '../visualize/workflowSvg.js';

/** The bus messages the page draws. */
export const LIVE_MESSAGE_TYPES = ['step.started', 'step.retrying', 'step.completed', 'step.failed', 'step.skipped', 'execution.finished'] as const;

/** A viewer that falls this far behind (bytes queued) is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Options of {@link createLocalInspector}. */
export interface LocalInspectorOptions {
  /** The runtime (or just its bus) that runs the execution. */
  runtime: { readonly bus: MessageBus };
  /** The validated definition drawn on the page. */
  definition: WorkflowDefinition;
  /** The execution to follow: pass the same `correlationId` to `startWorkflow`. */
  correlationId: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

/** A running local inspector. */
export interface LocalInspector {
  /** The page, on 127.0.0.1. */
  readonly url: string;
  /** Pages connected now. */
  readonly viewers: number;
  /** Resolves when the first page has connected (to start a run once someone watches). */
  viewed(): Promise<void>;
  /** Disconnects every page and closes the server. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Serves the offline inspector page of one execution on 127.0.0.1: the step DAG as inline SVG,
 * each step coloured by its live state. The page's WebSocket receives the execution's step
 * messages (`step.started`, `step.retrying`, `step.completed`, `step.failed`, `step.skipped`,
 * `execution.finished`) from the runtime's bus; a page that connects late first gets the
 * messages already published (from the bus history), then the live ones, in order.
 *
 * @example
 * const inspector = await createLocalInspector({ runtime, definition, correlationId });
 * logger.info({ url: inspector.url }, 'local inspector ready');
 * await runtime.startWorkflow(definition, { correlationId }).result;
 * await inspector.stop();
 */
export async function createLocalInspector(options: LocalInspectorOptions): Promise<LocalInspector> {
  const { bus } = options.runtime;
  const live = new Set<string>(LIVE_MESSAGE_TYPES);
  const page = inspectorPage({ title: options.definition.id, svg: workflowSvg(layoutWorkflowGraph(workflowGraph(options.definition)), options.definition.id) });
  const viewers = new Set<WebSocket>();
  let onViewed: (() => void) | undefined;
  const viewed = new Promise<void>((resolve) => (onViewed = resolve));

  const send = (socket: WebSocket, message: BusMessage): void => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify(message));
  };
  const server = await serveLoopback({
    ...(options.port === undefined ? {} : { port: options.port }),
    page: () => page,
    contentSecurityPolicy: INSPECTOR_PAGE_CSP,
    onConnection: (socket) => {
      // History then live, in one synchronous turn: the bus delivers synchronously, so nothing
      // published in between can be missed or sent twice.
      for (const message of bus.trace(options.correlationId)) if (live.has(message.type)) send(socket, message);
      viewers.add(socket);
      socket.once('close', () => viewers.delete(socket));
      socket.on('message', () => socket.close(1003, 'this socket only sends'));
      onViewed?.();
    },
  });
  const subscription = bus.messages$.pipe(ofCorrelation(options.correlationId), ofType(...LIVE_MESSAGE_TYPES)).subscribe((message) => {
    for (const socket of viewers) send(socket, message);
  });

  let stopping: Promise<void> | undefined;
  return {
    url: `${server.origin}/`,
    get viewers() {
      return viewers.size;
    },
    viewed: () => viewed,
    stop() {
      stopping ??= (async () => {
        subscription.unsubscribe();
        for (const socket of viewers) socket.close(1001, 'the inspector is stopping');
        await server.close();
      })();
      return stopping;
    },
  };
}
