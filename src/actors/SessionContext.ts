/** One shared-context entry of a session. */
export interface ContextEntry<T = unknown> {
  sessionId: string;
  contextType: string;
  data: T;
  createdAt: number;
  updatedAt: number;
  createdByTool: string | undefined;
  expiresAt: number;
  metadata: Record<string, unknown>;
  /** 1 on the first write, then +1 on each write. */
  version: number;
}

/** Options of a write to shared context. */
export interface ShareOptions {
  /** Time to live in ms; one hour by default. */
  ttlMs?: number;
  metadata?: Record<string, unknown>;
}

/** The shared context of one session, as a tool or the runtime sees it. */
export interface SessionContext {
  readonly sessionId: string;
  share<T>(contextType: string, data: T, options?: ShareOptions): ContextEntry<T>;
  get<T = unknown>(contextType: string): ContextEntry<T> | undefined;
  list(): ContextEntry[];
  delete(contextType: string): boolean;
}
