import { resolve } from 'node:path';
import pino from 'pino';
import type { ToolContext } from '../../src/actors/ToolContext.js';
import type { ContextEntry, SessionContext } from '../../src/actors/SessionContext.js';

/** A minimal in-memory ToolContext for calling a tool's `run` directly in unit tests. */
export function createTestToolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  const entries = new Map<string, ContextEntry>();
  const context: SessionContext = {
    sessionId: 'test-session',
    share(contextType, data, options) {
      const previous = entries.get(contextType);
      const entry: ContextEntry = {
        sessionId: 'test-session', contextType, data, createdAt: previous?.createdAt ?? Date.now(), updatedAt: Date.now(),
        createdByTool: undefined, expiresAt: Date.now() + (options?.ttlMs ?? 3_600_000),
        metadata: options?.metadata ?? {}, version: (previous?.version ?? 0) + 1,
      };
      entries.set(contextType, entry);
      return entry as never;
    },
    get: (contextType) => entries.get(contextType) as never,
    list: () => [...entries.values()],
    delete: (contextType) => entries.delete(contextType),
  };
  return {
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    sessionId: 'test-session',
    executionId: 'test-execution',
    correlationId: 'test-correlation',
    stepId: 'test-step',
    attempt: 1,
    idempotencyKey: 'test-execution:test-step',
    context,
    request: () => Promise.reject(new Error('request is not available in createTestToolContext')),
    progress: () => undefined,
    resolvePath: (path) => Promise.resolve(resolve(path)),
    ...overrides,
  };
}
