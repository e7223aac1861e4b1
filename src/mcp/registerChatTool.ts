import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { chat, type ChatOptions } from '../conversation/conversationChat.js';
import { ChatReplySchema } from '../conversation/conversationReply.js';
import type { Runtime } from '../runtime/createRuntime.js';
import { registerMcpTool } from './registerMcpTool.js';
import type { SessionScope } from './SessionScope.js';
import { successResult } from './successResult.js';

const ChatInput = z.object({
  sessionId: z.string().min(1).describe('conversation to continue; a new id starts one'),
  message: z.string().max(4_000).describe('a repository path, `continue`, `skip`, `autopilot on`, `help`, ...'),
});

/**
 * `chat`: one message of the guided containerization conversation of a session. The
 * conversation is kept in the session's shared context, so the next call resumes it; with an
 * execution store that context is stored, so a restarted server resumes it too. Conversations
 * are private to the MCP session (`scope`).
 *
 * @example
 * registerChatTool(server, runtime, sessionScope(undefined), { capabilities: async () => env });
 */
export function registerChatTool(server: McpServer, runtime: Runtime, scope: SessionScope, options: Omit<ChatOptions, 'signal'> = {}): void {
  const description = 'Guided containerization, one message at a time: analysis, Dockerfile, build, push, Kubernetes manifests';
  registerMcpTool(server, { name: 'chat', description, input: ChatInput, output: ChatReplySchema }, async ({ sessionId, message }, extra) => {
    const reply = await chat(runtime, scope.inner(sessionId), message, { ...options, signal: extra.signal });
    const next = reply.options.length > 0 ? `\noptions: ${reply.options.join(' | ')}` : '';
    return successResult(reply, `[${reply.stage} ${Math.round(reply.progress * 100)}%] ${reply.message}${next}`);
  });
}
