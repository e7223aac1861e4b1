import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { CallMeta } from '../machines/workflow/WorkflowServices.js';
import { toErrorInfo } from '../errors/toErrorInfo.js';

const tracer = trace.getTracer('orchkit');

/**
 * Wraps one tool call in an OpenTelemetry span (`orchkit.tool <name>`) carrying the correlation
 * id, execution, step and attempt. A no-op unless the embedding app registers an SDK.
 */
export async function traceToolCall<T>(meta: CallMeta, call: () => Promise<T>): Promise<T> {
  const span: Span = tracer.startSpan(`orchkit.tool ${meta.tool}`, {
    attributes: {
      'orchkit.correlation_id': meta.correlationId,
      'orchkit.execution_id': meta.executionId,
      'orchkit.session_id': meta.sessionId,
      'orchkit.step_id': meta.stepId,
      'orchkit.tool': meta.tool,
      'orchkit.attempt': meta.attempt,
    },
  });
  try {
    const result = await call();
    span.setStatus({ code: SpanStatusCode.OK });
    return result;
  } catch (error) {
    const info = toErrorInfo(error);
    span.setAttributes({ 'orchkit.error.code': info.code, 'orchkit.error.type': info.type });
    span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
    throw error;
  } finally {
    span.end();
  }
}
