import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import { RuntimeError } from '../errors/RuntimeError.js';
import { checkBearerToken } from './checkBearerToken.js';
import { createMcpServer, type McpServerOptions } from './createMcpServer.js';
import { createExecutionHistory } from './ExecutionHistory.js';

/** Options of {@link startMcpHttpServer}. */
export interface McpHttpOptions extends Omit<McpServerOptions, 'history' | 'contextScope'> {
  /** Interface to bind; 127.0.0.1 by default (loopback only). */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Endpoint path; `/mcp` by default. */
  path?: string;
  /** When set, every request must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** `Host` header values accepted besides the bound address (`host:port`), e.g. behind a proxy. */
  allowedHosts?: string[];
  /** `Origin` header values accepted besides the bound address (`http://host:port`), e.g. a web client's. */
  allowedOrigins?: string[];
  /** A session without a request for this long is closed; 30 minutes by default. */
  sessionIdleMs?: number;
  /** Sessions open at once; an initialize past it is refused (503, `MCP_SESSION_LIMIT`). 100 by default. */
  maxSessions?: number;
  logger?: Logger;
}

/** A running Streamable HTTP MCP endpoint. */
export interface McpHttpServer {
  readonly url: string;
  readonly port: number;
  /** Sessions open now. */
  readonly sessions: number;
  /** Closes every session and the listener; the runtime stays up (its owner stops it). */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** Requests of the session not yet answered (event streams of GET requests aside). */
  active: number;
  idle?: NodeJS.Timeout | undefined;
}

/** Default of {@link McpHttpOptions.sessionIdleMs}. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;
/** Default of {@link McpHttpOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 100;
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Serves a runtime over MCP Streamable HTTP with `node:http`: one MCP server per session
 * (`Mcp-Session-Id`), sharing the runtime and the recent results. Each session has its own
 * scope of shared context (another session's entries are out of reach); sessions idle past
 * `sessionIdleMs` are closed, and at most `maxSessions` are open at once. DNS-rebinding
 * protection is on: the `Host` header must name the bound address and an `Origin`, when sent,
 * must be that address too (403 otherwise); with a `token` every request needs the bearer token
 * (401 otherwise, saying whether it was missing or wrong).
 *
 * @throws RuntimeError `INVALID_OPTION` for a `sessionIdleMs` or `maxSessions` out of range.
 * @example
 * const http = await startMcpHttpServer({ runtime, port: 0, token: process.env.ORCHKIT_MCP_TOKEN });
 * logger.info({ url: http.url }, 'MCP server listening');
 */
export async function startMcpHttpServer(options: McpHttpOptions): Promise<McpHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const idleMs = checkRange('sessionIdleMs', options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS, 1, MAX_DELAY_MS);
  const maxSessions = checkRange('maxSessions', options.maxSessions ?? DEFAULT_MAX_SESSIONS, 1, 1_000_000);
  const history = createExecutionHistory();
  const sessions = new Map<string, Session>();
  let opening = 0;
  // Filled once the port is known; transports keep a reference to these arrays.
  const allowedHosts: string[] = [];
  const allowedOrigins: string[] = [];

  const expire = (id: string, session: Session): void => {
    options.logger?.info({ sessionId: id, idleMs }, 'MCP session idle; closed');
    sessions.delete(id);
    void session.server.close().catch(() => undefined);
  };
  /** Counts a request of the session; when the last one ends, the idle timer starts. */
  const track = (id: string, session: Session, res: ServerResponse): void => {
    session.active += 1;
    clearTimeout(session.idle);
    res.once('close', () => {
      session.active -= 1;
      if (session.active > 0 || !sessions.has(id)) return;
      session.idle = setTimeout(() => expire(id, session), idleMs);
      session.idle.unref();
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) return reply(res, 404, 'not found; the MCP endpoint is ' + path);
    if (options.token !== undefined) {
      const check = checkBearerToken(req.headers.authorization, options.token);
      if (check !== 'valid') {
        res.setHeader('WWW-Authenticate', check === 'missing' ? 'Bearer realm="orchkit"' : 'Bearer realm="orchkit", error="invalid_token"');
        return reply(res, 401, check === 'missing' ? 'a bearer token is required (Authorization: Bearer <token>)' : 'the bearer token is not valid for this server');
      }
    }
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (session && typeof sessionId === 'string') {
      // An open event stream (GET) is no activity: a client that only listens still idles out.
      if (req.method !== 'GET') track(sessionId, session, res);
      return session.transport.handleRequest(req, res);
    }
    if (sessionId !== undefined) return reply(res, 404, 'unknown, expired or closed session; initialize a new one');
    if (sessions.size + opening >= maxSessions) {
      res.setHeader('Retry-After', String(Math.ceil(Math.min(idleMs, 3_600_000) / 1000)));
      return reply(res, 503, `MCP_SESSION_LIMIT: ${maxSessions} sessions are open, the most this server allows; close one (DELETE) or wait until one has been idle for ${idleMs} ms`, { code: 'MCP_SESSION_LIMIT', maxSessions });
    }
    // A new session: the transport accepts only an initialize request here (400 otherwise).
    const id = randomUUID();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      // The SDK marks these options deprecated in favour of Express middleware; we do not use Express.
      enableDnsRebindingProtection: true,
      allowedHosts,
      allowedOrigins,
      onsessioninitialized: () => void sessions.set(id, created),
    });
    const created: Session = { transport, server: createMcpServer({ ...options, history, contextScope: id }), active: 0 };
    transport.onclose = () => {
      clearTimeout(created.idle);
      sessions.delete(id);
    };
    opening += 1;
    try {
      await created.server.connect(transport);
      track(id, created, res);
      await transport.handleRequest(req, res);
    } finally {
      opening -= 1;
    }
    if (transport.sessionId === undefined) await created.server.close();
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger?.error({ err: error }, 'MCP HTTP request failed');
      if (!res.headersSent) reply(res, 500, 'internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  allowedHosts.push(...hostHeaders(host, port), ...(options.allowedHosts ?? []));
  allowedOrigins.push(...allowedHosts.map((value) => `http://${value}`), ...(options.allowedOrigins ?? []));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  options.logger?.info({ url, sessionIdleMs: idleMs, maxSessions }, 'MCP server listening');

  return {
    url,
    port,
    get sessions() {
      return sessions.size;
    },
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      for (const session of open) clearTimeout(session.idle);
      await Promise.allSettled(open.map((session) => session.server.close()));
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  throw new RuntimeError('INVALID_OPTION', `startMcpHttpServer: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
}

/** `Host` header values that name the bound address; a loopback bind accepts every loopback name. */
function hostHeaders(host: string, port: number): string[] {
  const names = ['127.0.0.1', 'localhost', '::1'].includes(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host.includes(':') ? `[${host}]` : host];
  return names.flatMap((name) => (port === 80 ? [name, `${name}:80`] : [`${name}:${port}`]));
}

function reply(res: ServerResponse, status: number, message: string, data?: unknown): void {
  const error = { code: -32000, message, ...(data === undefined ? {} : { data }) };
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error, id: null }));
}
