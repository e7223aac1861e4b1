import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { CallMeta } from '../actors/CallMeta.js';
import { toErrorInfo } from '../errors/toErrorInfo.js';

const tracer = trace.getTracer('orchkit');

/** The ids a span carries: a call's `CallMeta` or a tool's `ctx` both have them. */
type CallIds = Pick<CallMeta, 'correlationId' | 'executionId' | 'sessionId' | 'stepId' | 'attempt'>;

/**
 * Wraps one tool call in an OpenTelemetry span (`orchkit.tool <name>`) carrying the correlation
 * id, execution, step and attempt. A no-op unless the embedding app registers an SDK.
 */
export function traceToolCall<T>(tool: string, meta: CallIds, call: () => Promise<T>): Promise<T> {
  const span: Span = tracer.startSpan(`orchkit.tool ${tool}`);
  // Without an SDK the span records nothing: skip the attributes and the extra promise.
  if (!span.isRecording()) {
    span.end();
    return call();
  }
  span.setAttributes({
    'orchkit.correlation_id': meta.correlationId,
    'orchkit.execution_id': meta.executionId,
    'orchkit.session_id': meta.sessionId,
    'orchkit.step_id': meta.stepId,
    'orchkit.tool': tool,
    'orchkit.attempt': meta.attempt,
  });
  return call().then(
    (result) => {
      span.setStatus({ code: SpanStatusCode.OK });
      span.end();
      return result;
    },
    (error: unknown) => {
      const info = toErrorInfo(error);
      span.setAttributes({ 'orchkit.error.code': info.code, 'orchkit.error.type': info.type });
      span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
      span.end();
      throw error;
    },
  );
}
