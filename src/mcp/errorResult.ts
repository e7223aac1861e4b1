import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isContextError } from '../errors/ContextError.js';
import { isToolError } from '../errors/ToolError.js';
import { toErrorInfo } from '../errors/toErrorInfo.js';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';

/** One problem of an input, with its path (`steps[2].tool`, `path`). */
export interface McpIssue {
  path: string;
  message: string;
  code?: string;
  line?: number;
}

/** The `structuredContent.error` of a failed MCP tool call. */
export interface McpErrorInfo {
  code: string;
  type: string;
  message: string;
  /** Path of the first problem, for input errors. */
  path?: string;
  issues?: McpIssue[];
  tool?: string;
  retryable?: boolean;
  hint?: string;
  details?: unknown;
}

/**
 * The `isError` result of a failed call: the text and `structuredContent.error` carry the
 * error's `code`, `type`, message and, for input errors, the path of each problem.
 *
 * @example
 * return errorResult(new ToolError({ code: 'NOT_SUPPORTED', message: 'durable pause needs a store' }));
 */
export function errorResult(error: unknown): CallToolResult {
  const info = describeError(error);
  const where = info.path === undefined ? '' : ` at ${info.path || '<root>'}`;
  const lines = [`${info.code} (${info.type})${where}: ${info.message}`];
  if (info.issues && info.issues.length > 1) lines.push(...info.issues.map((issue) => `- ${issue.path || '<root>'}: ${issue.message}`));
  if (info.hint) lines.push(`hint: ${info.hint}`);
  return { isError: true, content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { error: info } };
}

function describeError(error: unknown): McpErrorInfo {
  const { code, type, message, tool, retryable, details } = toErrorInfo(error);
  const info: McpErrorInfo = { code, type, message };
  if (tool !== undefined) info.tool = tool;
  if (retryable !== undefined) info.retryable = retryable;
  const issues = issuesOf(error);
  if (issues) {
    info.issues = issues;
    if (issues[0]) info.path = issues[0].path;
  } else if (isContextError(error) && error.path !== undefined) {
    info.path = error.path;
  } else if (typeof (details as { path?: unknown } | undefined)?.path === 'string') {
    // The argument a tool error is about, e.g. the path outside the workspace.
    info.path = (details as { path: string }).path;
  }
  const hint = (details as { hint?: unknown } | undefined)?.hint;
  if (typeof hint === 'string') info.hint = hint;
  else if (details !== undefined && !issues) info.details = details;
  return info;
}

function issuesOf(error: unknown): McpIssue[] | undefined {
  if (isWorkflowValidationError(error)) {
    return error.issues.map((issue) => ({ path: issue.path, message: issue.message, code: issue.code, ...(issue.line === undefined ? {} : { line: issue.line }) }));
  }
  if (isToolError(error)) {
    const issues = (error.details as { issues?: unknown } | undefined)?.issues;
    if (Array.isArray(issues)) return issues as McpIssue[];
  }
  return undefined;
}
