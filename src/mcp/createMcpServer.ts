import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ChatOptions } from '../conversation/conversationChat.js';
import type { Runtime } from '../runtime/createRuntime.js';
import { createExecutionHistory, type ExecutionHistory } from './ExecutionHistory.js';
import { registerChatTool } from './registerChatTool.js';
import { registerContextTools } from './registerContextTools.js';
import { registerExecuteWorkflow } from './registerExecuteWorkflow.js';
import { registerRuntimeTools } from './registerRuntimeTools.js';
import { registerScheduleTools } from './registerScheduleTools.js';
import { registerWorkflowControls } from './registerWorkflowControls.js';
import { sessionScope } from './SessionScope.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  runtime: Runtime;
  /** Directory `list_workflows` lists and relative `execute_workflow` paths fall back to; `examples` by default. */
  workflowsDir?: string;
  /**
   * Files that tools and `execute_workflow` are given must lie under this directory (the working
   * directory by default); paths that leave it are `PATH_OUTSIDE_WORKSPACE` errors.
   */
  workspaceRoot?: string;
  /**
   * Scope of the session ids this server's clients name (shared context, conversations, runs):
   * another scope's sessions are out of reach. `startMcpHttpServer` gives each MCP session its
   * own; unset (stdio: one client owns the process), session ids are the runtime's as they are.
   */
  contextScope?: string;
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
  'Call analyze_repository, generate_dockerfile, ... one by one, or execute_workflow with a name list_workflows gives (containerize) to run the whole pipeline.',
  'Paths are relative to the server\'s workspace; shared context sessions are private to this MCP session.',
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
  const workspaceRoot = options.workspaceRoot ?? process.cwd();
  const scope = sessionScope(options.contextScope);
  const history = options.history ?? createExecutionHistory();
  const server = new McpServer({ name: options.name ?? 'orchkit', version: options.version ?? '0.1.0' }, { instructions: INSTRUCTIONS });
  registerRuntimeTools(server, runtime, workspaceRoot);
  registerExecuteWorkflow(server, runtime, history, { workflowsDir, workspaceRoot, scope });
  registerWorkflowControls(server, runtime, history, workflowsDir, scope);
  registerContextTools(server, runtime, scope);
  registerScheduleTools(server, runtime);
  registerChatTool(server, runtime, scope, { ...options.chat, workspaceRoot });
  return server;
}
