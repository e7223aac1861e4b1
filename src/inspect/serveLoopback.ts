import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** The one address every inspection server binds: nothing beyond this machine can connect. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Options of {@link serveLoopback}. */
export interface LoopbackOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The HTML served at `/`. */
  page: () => string;
  /** `Content-Security-Policy` of the page; `{origin}` and `{wsOrigin}` are filled in. */
  contentSecurityPolicy: string;
  /** Called for each WebSocket accepted on `/` or `/events` (same-origin or non-browser clients). */
  onConnection: (socket: WebSocket, request: IncomingMessage) => void;
}

/** A running loopback HTTP + WebSocket server. */
export interface LoopbackServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsOrigin: string;
  /** Terminates every WebSocket and open connection, then closes the server. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves one page and a WebSocket endpoint on 127.0.0.1. Requests whose `Host` is not this
 * address (DNS rebinding) get 403, and WebSocket upgrades from another web origin are refused,
 * so a page on the internet cannot read a local run's messages.
 *
 * @example
 * const server = await serveLoopback({ page: () => html, contentSecurityPolicy: "default-src 'none'", onConnection });
 */
export async function serveLoopback(options: LoopbackOptions): Promise<LoopbackServer> {
  const sockets = new WebSocketServer({ noServer: true });
  let port = 0;
  const hosts = (): Set<string> => new Set([`${LOOPBACK_HOST}:${port}`, `localhost:${port}`]);
  const origins = (): Set<string> => new Set([...hosts()].map((host) => `http://${host}`));

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (!hosts().has(request.headers.host ?? '')) return end(response, 403, 'forbidden host\n');
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    if (request.method !== 'GET' || path !== '/') return end(response, 404, 'not found\n');
    const origin = `http://${request.headers.host ?? ''}`;
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': options.contentSecurityPolicy.replaceAll('{origin}', origin).replaceAll('{wsOrigin}', origin.replace(/^http/, 'ws')),
    });
    response.end(options.page());
  });
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    const origin = request.headers.origin;
    const allowed = hosts().has(request.headers.host ?? '') && (origin === undefined || origins().has(origin)) && (path === '/' || path === '/events');
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => options.onConnection(ws, request));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    origin: `http://${LOOPBACK_HOST}:${port}`,
    wsOrigin: `ws://${LOOPBACK_HOST}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function end(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}
