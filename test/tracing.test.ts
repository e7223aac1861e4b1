import { context, trace, type Span, type SpanOptions, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool } from '../src/index.js';

interface Recorded {
  name: string;
  attributes: Record<string, unknown>;
  status?: { code: number };
  ended: boolean;
}

/** A minimal TracerProvider that records spans, standing in for an app's registered SDK. */
function recordingProvider(spans: Recorded[]): TracerProvider {
  const tracer: Tracer = {
    startSpan(name: string, options?: SpanOptions): Span {
      const record: Recorded = { name, attributes: { ...options?.attributes }, ended: false };
      spans.push(record);
      const span = trace.wrapSpanContext({ traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', traceFlags: 1 });
      return Object.assign(Object.create(span) as Span, {
        // A recording SDK span says so; orchkit skips attributes for spans that do not record.
        isRecording: () => true,
        setAttributes: (attributes: Record<string, unknown>) => {
          Object.assign(record.attributes, attributes);
          return span;
        },
        setStatus: (status: { code: number }) => {
          record.status = status;
          return span;
        },
        end: () => {
          record.ended = true;
        },
      });
    },
    startActiveSpan: ((name: string, ...rest: unknown[]) => {
      const fn = rest[rest.length - 1] as (span: Span) => unknown;
      return context.with(context.active(), () => fn(tracer.startSpan(name)));
    }),
  };
  return { getTracer: () => tracer };
}

describe('OpenTelemetry spans', () => {
  const spans: Recorded[] = [];
  trace.setGlobalTracerProvider(recordingProvider(spans));
  afterAll(() => trace.disable());

  it('wraps each tool call in a span with the correlation id, ended with its status', async () => {
    const echo = defineTool({ name: 'echo', description: 'echo', input: z.object({ v: z.string() }), output: z.object({ v: z.string() }), run: async (i) => i });
    const runtime = createRuntime({ tools: [echo] });
    const result = await runtime.executeWorkflow({ id: 'traced', steps: [{ id: 'e', tool: 'echo', input: { v: 'x' } }] });
    await runtime.stop();
    expect(spans).toEqual([
      {
        name: 'orchkit.tool echo',
        attributes: expect.objectContaining({ 'orchkit.correlation_id': result.correlationId, 'orchkit.step_id': 'e', 'orchkit.tool': 'echo', 'orchkit.attempt': 1 }),
        status: { code: 1 },
        ended: true,
      },
    ]);
  });
});
