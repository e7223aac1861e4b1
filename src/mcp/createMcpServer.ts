import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ChatOptions } from '../machines/conversationChat.js';
import type { Runtime } from '../runtime/createRuntime.js';
import { createExecutionHistory, type ExecutionHistory } from './ExecutionHistory.js';
import { registerChatTool } from './registerChatTool.js';
import { registerContextTools } from './registerContextTools.js';
import { registerExecuteWorkflow } from './registerExecuteWorkflow.js';
import { registerRuntimeTools } from './registerRuntimeTools.js';
import { registerWorkflowControls } from './registerWorkflowControls.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  runtime: Runtime;
  /** Directory `list_workflows` lists and relative `execute_workflow` paths fall back to; `examples` by default. */
  workflowsDir?: string;
  /** Recent results for `get_workflow_status`; share one between the servers of one runtime (one per HTTP session). */
  history?: ExecutionHistory;
  /** Options of the `chat` tool's conversations (e.g. `capabilities` for the preflight stage). */
  chat?: Omit<ChatOptions, 'signal'>;
  /** Server name and version announced to clients. */
  name?: string;
  version?: string;
}

const INSTRUCTIONS = [
  'orchkit runs tools and workflows that containerize a repository.',
  'Call analyze_repository, generate_dockerfile, ... one by one, or execute_workflow with list_workflows\' files (containerize.yaml) to run the whole pipeline.',
  'chat guides a user through the same stages one message at a time.',
  'Failures are isError results whose structuredContent.error carries code, type, message and, for bad input, the path.',
].join(' ');

/**
 * An MCP server exposing a runtime: each registered tool, plus `execute_workflow`,
 * `list_workflows`, `get_workflow_status`, `cancel_workflow`, `pause_workflow`,
 * `resume_workflow`, `share_context`, `get_context` and `chat`. Connect it to one transport
 * (stdio, or one Streamable HTTP session); the caller owns the runtime and stops it.
 *
 * @example
 * const server = createMcpServer({ runtime });
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  const { runtime } = options;
  const workflowsDir = options.workflowsDir ?? 'examples';
  const history = options.history ?? createExecutionHistory();
  const server = new McpServer({ name: options.name ?? 'orchkit', version: options.version ?? '0.1.0' }, { instructions: INSTRUCTIONS });
  registerRuntimeTools(server, runtime);
  registerExecuteWorkflow(server, runtime, history, workflowsDir);
  registerWorkflowControls(server, runtime, history, workflowsDir);
  registerContextTools(server, runtime);
  registerChatTool(server, runtime, options.chat);
  return server;
}
