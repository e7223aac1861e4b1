import type { Logger } from 'pino';
import type { CallMeta } from './CallMeta.js';
import type { AnyTool } from './defineTool.js';
import type { SessionContext } from './SessionContext.js';
import type { ToolContext, ToolProgress, ToolRequestOptions } from './ToolContext.js';

/**
 * What one tool call needs from the layer that runs it. Declared here so the tool actor does
 * not reach up into machines or the runtime; a compiled workflow's services extend it.
 */
export interface ToolCallServices {
  logger: Logger;
  /** The session's shared context as a tool sees it. */
  contextFor(sessionId: string, tool: string): SessionContext;
  /** The one policy path every call goes through (steps and tool-to-tool requests). */
  callTool(tool: AnyTool, input: unknown, ctx: ToolContext): Promise<unknown>;
  request(caller: CallMeta, tool: string, input: unknown, options?: ToolRequestOptions): Promise<unknown>;
  progress(caller: CallMeta, update: ToolProgress): void;
  /** The workspace root paths of this call are confined to (`ctx.resolvePath`); none: unconfined. */
  workspaceRootOf?(caller: CallMeta): string | undefined;
}
