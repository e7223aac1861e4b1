// orchkit/mcp: the MCP server over stdio or streamable HTTP. Named exports only. Loads the MCP SDK
// and an HTTP server, so it is a sub-entry: `import 'orchkit'` loads neither.

export { createMcpServer } from './createMcpServer.js';
export type { McpServerOptions } from './createMcpServer.js';
export { startMcpHttpServer } from './startMcpHttpServer.js';
export type { McpHttpOptions, McpHttpServer } from './startMcpHttpServer.js';
export { createExecutionHistory } from './ExecutionHistory.js';
export type { ExecutionHistory } from './ExecutionHistory.js';
