/** The MCP server's paths are confined by the same check as tools' (`ctx.resolvePath`). */
export { resolveInWorkspace } from '../actors/resolveInWorkspace.js';
