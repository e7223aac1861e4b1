import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const INLINE_JSON_LIMIT = 4_000;

/**
 * The result of a successful call: `structuredContent` holds the value (wrapped as
 * `{ result }` when it is not an object), and the text says `summary`, followed by the JSON
 * when it is short, for clients that read text only.
 *
 * @example
 * return successResult(analysis, `analyze_repository: ${analysis.language}`);
 */
export function successResult(value: unknown, summary: string): CallToolResult {
  const structuredContent = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { result: value ?? null };
  const json = JSON.stringify(structuredContent);
  const text = json.length <= INLINE_JSON_LIMIT ? `${summary}\n${json}` : `${summary}\n(${json.length} characters of JSON in structuredContent)`;
  return { content: [{ type: 'text', text }], structuredContent };
}
