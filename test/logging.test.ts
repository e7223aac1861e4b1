import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, ToolError } from '../src/index.js';

describe('structured logs', () => {
  it('carry correlationId, executionId, stepId and tool, and redact configured secret paths', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
        done();
      },
    });
    const login = defineTool({
      name: 'login',
      description: 'fails once, logs what it does',
      input: z.object({ user: z.string(), password: z.string() }),
      output: z.object({ ok: z.boolean() }),
      errors: { LOCKED: { type: 'auth_error', retryable: false } },
      run: async ({ user }, ctx) => {
        ctx.logger.info({ user }, 'logging in');
        if (ctx.attempt === 1) throw new ToolError({ code: 'LOCKED', message: 'account locked' });
        return { ok: true };
      },
    });
    const runtime = createRuntime({ tools: [login], logger: pino({ level: 'debug' }, sink), redact: ['input.password'] });
    const result = await runtime.executeWorkflow({
      id: 'logs',
      steps: [{ id: 'signin', tool: 'login', input: { user: 'ada', password: 'hunter2-very-secret' } }],
    });
    await runtime.stop();
    expect(result.status).toBe('failed');
    expect(JSON.stringify(lines)).not.toContain('hunter2-very-secret');
    const toolLines = lines.filter((line) => line.tool === 'login');
    expect(toolLines.map((line) => line.msg)).toEqual(['tool call', 'logging in', 'tool call failed']);
    for (const line of toolLines) {
      expect(line).toMatchObject({ correlationId: result.correlationId, executionId: result.executionId, stepId: 'signin', tool: 'login' });
    }
    expect(toolLines[0]).toMatchObject({ input: { user: 'ada', password: '[redacted]' } });
    expect(toolLines[2]).toMatchObject({ err: { code: 'LOCKED' } });
  });
});
