import { WebSocket, type RawData } from 'ws';
import { serveLoopback } from './serveLoopback.js';
import { statelyBridgePage, STATELY_INSPECTOR_URL } from './statelyBridgePage.js';

/** Options of {@link createInspectorRelay}. */
export interface InspectorRelayOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Messages kept for viewers that connect late; default 10 000 (a whole CLI run, usually). */
  replayLimit?: number;
  /** The Stately inspector UI the bridge page embeds. */
  inspectorUrl?: string;
}

/** A running relay. */
export interface InspectorRelay {
  /** The bridge page: open it in a browser to watch in Stately's inspector. */
  readonly url: string;
  /** Where inspectors send (`createWebSocketInspector({ url })`) and viewers listen. */
  readonly wsUrl: string;
  /** Resolves when a client that connected with `?role=runtime` has connected. */
  producerConnected(): Promise<void>;
  /** Resolves when every `?role=runtime` client has disconnected (at once when there is none). */
  producersClosed(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The server side of `@statelyai/inspect`'s WebSocket inspector, on 127.0.0.1: what one client
 * sends is relayed to every other client and kept (bounded) for viewers that connect later.
 * Same protocol and bridge page as the package's `createInspectorServer`, which cannot be used
 * as is: it listens on every interface, cannot report the port it got for port 0, opens a
 * browser, and its `stop()` leaves connected sockets open.
 *
 * @example
 * const relay = await createInspectorRelay();
 * const inspector = createWebSocketInspector({ url: `${relay.wsUrl}/?role=runtime` });
 */
export async function createInspectorRelay(options: InspectorRelayOptions = {}): Promise<InspectorRelay> {
  const replayLimit = options.replayLimit ?? 10_000;
  const replay: string[] = [];
  const clients = new Set<WebSocket>();
  const producers = new Set<WebSocket>();
  let onProducer: (() => void) | undefined;
  const producerSeen = new Promise<void>((resolve) => (onProducer = resolve));
  const bridge = statelyBridgePage(options.inspectorUrl ?? STATELY_INSPECTOR_URL);
  const server = await serveLoopback({
    ...(options.port === undefined ? {} : { port: options.port }),
    page: () => bridge.html,
    contentSecurityPolicy: bridge.contentSecurityPolicy,
    onConnection: (socket, request) => {
      if (new URL(request.url ?? '/', 'http://local').searchParams.get('role') === 'runtime') {
        producers.add(socket);
        socket.once('close', () => producers.delete(socket));
        onProducer?.();
      }
      for (const message of replay) socket.send(message);
      clients.add(socket);
      socket.once('close', () => clients.delete(socket));
      socket.on('message', (data: RawData) => {
        const message = rawText(data);
        replay.push(message);
        if (replay.length > replayLimit) replay.shift();
        for (const client of clients) {
          if (client === socket || client.readyState !== WebSocket.OPEN) continue;
          // A viewer this far behind is dropped rather than buffered without bound.
          if (client.bufferedAmount > 8 * 1024 * 1024) client.terminate();
          else client.send(message);
        }
      });
    },
  });
  return {
    url: `${server.origin}/`,
    wsUrl: server.wsOrigin,
    producerConnected: () => producerSeen,
    producersClosed: () => Promise.all([...producers].map((socket) => new Promise((resolve) => socket.once('close', resolve)))).then(() => undefined),
    close: () => server.close(),
  };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}
