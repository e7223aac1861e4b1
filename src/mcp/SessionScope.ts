/**
 * Maps the session ids an MCP client names to the runtime's session ids, so that shared context
 * (and the conversations and runs that read it) of one MCP session is out of reach of another:
 * over HTTP every MCP session gets its own scope, `mcp:<Mcp-Session-Id>:<sessionId>`. Over
 * stdio the one client owns the process, and names are kept as they are.
 */
export interface SessionScope {
  /** The runtime session id of the client's `sessionId`. */
  inner(sessionId: string): string;
  /** The client's name of a runtime session id (as it is, when the id is not of this scope). */
  outer(sessionId: string): string;
  /** False for a runtime session id of another MCP session's scope. */
  owns(sessionId: string): boolean;
  /** True when this is a scope of its own (HTTP), not the identity (stdio). */
  readonly scoped: boolean;
}

const SCOPE_PREFIX = 'mcp:';

/**
 * A scope named `scope`, or the identity when `scope` is undefined.
 *
 * @example
 * const sessions = sessionScope(transport.sessionId);
 * runtime.context(sessions.inner(args.sessionId)).get('analysis');
 */
export function sessionScope(scope: string | undefined): SessionScope {
  if (scope === undefined) return { inner: (id) => id, outer: (id) => id, owns: () => true, scoped: false };
  const prefix = `${SCOPE_PREFIX}${scope}:`;
  return {
    inner: (id) => `${prefix}${id}`,
    outer: (id) => (id.startsWith(prefix) ? id.slice(prefix.length) : id),
    owns: (id) => !id.startsWith(SCOPE_PREFIX) || id.startsWith(prefix),
    scoped: true,
  };
}
