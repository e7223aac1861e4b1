// Shared-context writes on a durable runtime reach the store before memory: a write the store
// refuses is the caller's typed error (`STORE_UNAVAILABLE`) and leaves the context as it was —
// through runtime.shareContext / deleteContext and through MCP share_context. Real SQLite (a file
// another connection holds locked) and real PostgreSQL (through a TCP proxy the test cuts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type ExecutionStore, type Runtime } from '../src/index.js';
import { createMcpServer } from '../src/mcp/createMcpServer.js';
import { createStore } from '../src/runtime/store/createStore.js';
import { createSqliteStore } from '../src/runtime/store/SqliteStore.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { createTcpProxy } from './support/tcpProxy.js';
import { until } from './support/until.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const probe = await probePostgres(PG_URL, 1500);
const pgSuite = !probe.reachable && !IN_CI ? describe.skip : describe;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orchkit-context-durable-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dataOf = (runtime: Runtime, sessionId: string, contextType: string): unknown => runtime.context(sessionId).get(contextType)?.data;

/**
 * The scenario on any store: writes go through while it works; once it fails (`breakStore`), a
 * write, an overwrite and a delete each reject with STORE_UNAVAILABLE and memory keeps what it had;
 * a write behind (`context().share`) is taken back; once healed, writes go through again and the
 * store holds exactly what memory holds.
 */
async function outageScenario(runtime: Runtime, reader: ExecutionStore, breakStore: () => Promise<void>, healStore: () => Promise<void>): Promise<void> {
  await runtime.loadContext();
  const first = await runtime.shareContext('repo', 'analysis', { language: 'go' });
  expect(first).toMatchObject({ version: 1, data: { language: 'go' } });
  await runtime.shareContext('repo', 'doomed', { keep: true });
  await breakStore();

  await expect(runtime.shareContext('repo', 'analysis', { language: 'rust' })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', type: 'unavailable' });
  await expect(runtime.shareContext('repo', 'fresh', { n: 1 })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  await expect(runtime.deleteContext('repo', 'doomed')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  expect(runtime.context('repo').get('analysis')).toMatchObject({ version: 1, data: { language: 'go' } });
  expect(dataOf(runtime, 'repo', 'fresh')).toBeUndefined();
  expect(dataOf(runtime, 'repo', 'doomed')).toEqual({ keep: true });

  // The synchronous view writes behind; what the store refused does not stay in memory.
  runtime.context('repo').share('analysis', { language: 'zig' });
  runtime.context('repo').share('analysis', { language: 'c' }); // refused too: back to the committed one, not to zig
  runtime.context('repo').share('behind', { n: 2 });
  await until('the refused writes to be taken back', () => dataOf(runtime, 'repo', 'behind') === undefined && (dataOf(runtime, 'repo', 'analysis') as { language: string }).language === 'go');

  await healStore();
  const healed = await until('the store to take writes again', () => runtime.shareContext('repo', 'analysis', { language: 'rust' }).catch(() => false));
  expect(healed).toMatchObject({ version: 2, data: { language: 'rust' } });
  expect(await runtime.deleteContext('repo', 'doomed')).toBe(true);
  const stored = await reader.loadContextEntries({ sessionId: 'repo' });
  expect(Object.fromEntries(stored.map((entry) => [entry.contextType, entry.data]))).toEqual({ analysis: { language: 'rust' } });
}

/** share_context over MCP (the real SDK client, in process) on a runtime whose store is failing. */
async function mcpScenario(runtime: Runtime, breakStore: () => Promise<void>, healStore: () => Promise<void>): Promise<void> {
  const server = createMcpServer({ runtime });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'orchkit-context-test', version: '1.0.0' });
  await client.connect(clientSide);
  const structured = (result: unknown): Record<string, unknown> => (result as CallToolResult).structuredContent as Record<string, unknown>;
  try {
    expect(structured(await client.callTool({ name: 'share_context', arguments: { sessionId: 'mcp', contextType: 'plan', data: { step: 1 } } }))).toMatchObject({ version: 1 });
    await breakStore();
    const refused = await client.callTool({ name: 'share_context', arguments: { sessionId: 'mcp', contextType: 'plan', data: { step: 2 } } });
    expect((refused as CallToolResult).isError).toBe(true);
    expect(structured(refused)).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
    expect(structured(await client.callTool({ name: 'get_context', arguments: { sessionId: 'mcp', contextType: 'plan' } }))).toMatchObject({ version: 1, data: { step: 1 } });
    await healStore();
  } finally {
    await client.close();
    await server.close();
  }
}

describe('shared context on a failing store (SQLite)', () => {
  const lockedStore = (file: string) => {
    let locker: Database.Database | undefined;
    return {
      lock: async () => {
        locker = new Database(file);
        locker.exec('BEGIN IMMEDIATE');
      },
      unlock: async () => {
        locker?.exec('ROLLBACK');
        locker?.close();
      },
    };
  };

  it('a write the store refuses rejects with STORE_UNAVAILABLE and leaves memory as it was', async () => {
    const file = join(dir, 'context.db');
    const store = createSqliteStore({ path: file, busyTimeoutMs: 20 });
    const reader = createStore(`sqlite:${file}`);
    const runtime = createRuntime({ store });
    const { lock, unlock } = lockedStore(file);
    try {
      await outageScenario(runtime, reader, lock, unlock);
    } finally {
      await unlock().catch(() => undefined);
      await runtime.stop();
      await store.close();
      await reader.close();
    }
  });

  it('share_context over MCP answers the store error and keeps the entry', async () => {
    const file = join(dir, 'mcp.db');
    const store = createSqliteStore({ path: file, busyTimeoutMs: 20 });
    const runtime = createRuntime({ store });
    const { lock, unlock } = lockedStore(file);
    try {
      await mcpScenario(runtime, lock, unlock);
    } finally {
      await unlock().catch(() => undefined);
      await runtime.stop();
      await store.close();
    }
  });
});

pgSuite('shared context on a failing store (PostgreSQL)', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  /** A runtime on PostgreSQL through a proxy the test cuts, and a reader that goes direct. */
  const proxiedRuntime = async () => {
    const schema = `ctx_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const proxy = await createTcpProxy(Number(new URL(PG_URL).port || 5432));
    const proxied = new URL(PG_URL);
    proxied.port = String(proxy.port);
    proxied.searchParams.set('schema', schema);
    const store = createStore(proxied.toString());
    return { proxy, store, runtime: createRuntime({ store }), reader: createStore(`${PG_URL}?schema=${schema}`) };
  };

  it('a write while the server is gone rejects with STORE_UNAVAILABLE and leaves memory as it was', async () => {
    const { proxy, store, runtime, reader } = await proxiedRuntime();
    try {
      await outageScenario(runtime, reader, () => proxy.cut(), () => proxy.restore());
    } finally {
      await runtime.stop();
      await store.close();
      await reader.close();
      await proxy.close();
    }
  });

  it('share_context over MCP answers the store error while the server is gone', async () => {
    const { proxy, store, runtime, reader } = await proxiedRuntime();
    try {
      await runtime.loadContext();
      await mcpScenario(runtime, () => proxy.cut(), () => proxy.restore());
    } finally {
      await runtime.stop();
      await store.close();
      await reader.close();
      await proxy.close();
    }
  });
});
