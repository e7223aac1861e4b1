import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import { checkBearerToken } from './checkBearerToken.js';
import { createMcpServer, type McpServerOptions } from './createMcpServer.js';
import { createExecutionHistory } from './ExecutionHistory.js';

/** Options of {@link startMcpHttpServer}. */
export interface McpHttpOptions extends Omit<McpServerOptions, 'history'> {
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
  logger?: Logger;
}

/** A running Streamable HTTP MCP endpoint. */
export interface McpHttpServer {
  readonly url: string;
  readonly port: number;
  /** Closes every session and the listener; the runtime stays up (its owner stops it). */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
}

/**
 * Serves a runtime over MCP Streamable HTTP with `node:http`: one MCP server per session
 * (`Mcp-Session-Id`), sharing the runtime and the recent results. DNS-rebinding protection is
 * on: the `Host` header must name the bound address (403 otherwise), and with a `token` every
 * request needs the bearer token (401 otherwise).
 *
 * @example
 * const http = await startMcpHttpServer({ runtime, port: 0, token: process.env.ORCHKIT_MCP_TOKEN });
 * logger.info({ url: http.url }, 'MCP server listening');
 */
export async function startMcpHttpServer(options: McpHttpOptions): Promise<McpHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const history = createExecutionHistory();
  const sessions = new Map<string, Session>();
  // Filled once the port is known; transports keep a reference to this array.
  const allowedHosts: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) return reply(res, 404, 'not found; the MCP endpoint is ' + path);
    if (options.token !== undefined && !checkBearerToken(req.headers.authorization, options.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="orchkit"');
      return reply(res, 401, 'a bearer token is required');
    }
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (session) return session.transport.handleRequest(req, res);
    if (sessionId !== undefined) return reply(res, 404, 'unknown or closed session; initialize a new one');
    // A new session: the transport accepts only an initialize request here (400 otherwise).
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      // The SDK marks these options deprecated in favour of Express middleware; we do not use Express.
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (id) => void sessions.set(id, created),
    });
    const created: Session = { transport, server: createMcpServer({ ...options, history }) };
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await created.server.connect(transport);
    await transport.handleRequest(req, res);
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
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  options.logger?.info({ url }, 'MCP server listening');

  return {
    url,
    port,
    async close() {
      await Promise.allSettled([...sessions.values()].map((session) => session.server.close()));
      sessions.clear();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

/** `Host` header values that name the bound address; a loopback bind accepts every loopback name. */
function hostHeaders(host: string, port: number): string[] {
  const names = ['127.0.0.1', 'localhost', '::1'].includes(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host.includes(':') ? `[${host}]` : host];
  return names.flatMap((name) => (port === 80 ? [name, `${name}:80`] : [`${name}:${port}`]));
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
