/** Who is calling: the correlation data every tool call carries. */
export interface CallMeta {
  executionId: string;
  correlationId: string;
  sessionId: string;
  stepId: string;
  tool: string;
  attempt: number;
  /** A map item's 0-based index. */
  index?: number;
}
