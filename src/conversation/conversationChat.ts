import { createActor, fromPromise, waitFor, type Snapshot, type StateValue } from 'xstate';
import type { Runtime } from '../runtime/createRuntime.js';
import { detectCapabilities, type Capabilities } from '../tools/detectCapabilities.js';
import type { ConversationCapabilities, ConversationContext } from './conversationContext.js';
import { conversationMachine, type ConversationToolCall } from './conversationMachine.js';
import { ChatReplySchema, type ChatReply } from './conversationReply.js';

/** The shared-context entry that holds a session's conversation (its persisted snapshot). */
export const CONVERSATION_CONTEXT = 'conversation';

/** Options of {@link chat}. */
export interface ChatOptions {
  /** How long an idle conversation is kept in the session's shared context; 24 hours by default. */
  ttlMs?: number;
  /** Aborting stops waiting: running tools are cancelled and the message is not saved. */
  signal?: AbortSignal;
  /** Probes the preflight stage reports; `detectCapabilities()` by default. */
  capabilities?: () => Promise<Capabilities | ConversationCapabilities>;
  /** Tag of the image built in this conversation; `0.1.0` by default. */
  imageTag?: string;
  /** The tools' paths stay in it (`ctx.resolvePath`), in place of the runtime's; the MCP server passes its own. */
  workspaceRoot?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const queues = new WeakMap<Runtime, Map<string, Promise<unknown>>>();

/**
 * Sends one message to the conversation of a session and resolves with its reply. The
 * conversation is restored from the session's shared context (`conversation` entry: the
 * machine's persisted snapshot), runs until no tool is running, and is saved back, so the next
 * call, with a fresh actor, resumes where this one stopped. Messages of one session are handled
 * one at a time. The store is the runtime's in-memory context: a conversation survives across
 * calls in one process, not a restart (that needs the persistent store).
 *
 * @example
 * await chat(runtime, 'alice', './examples/apps/go-http');
 * const reply = await chat(runtime, 'alice', 'autopilot on');
 * reply.stage; // 'completed'
 */
export function chat(runtime: Runtime, sessionId: string, text: string, options: ChatOptions = {}): Promise<ChatReply> {
  const sessions = queues.get(runtime) ?? new Map<string, Promise<unknown>>();
  queues.set(runtime, sessions);
  const previous = sessions.get(sessionId) ?? Promise.resolve();
  const turn = previous.catch(() => undefined).then(() => chatTurn(runtime, sessionId, text, options));
  sessions.set(sessionId, turn);
  void turn.finally(() => {
    if (sessions.get(sessionId) === turn) sessions.delete(sessionId);
  }).catch(() => undefined);
  return turn;
}

async function chatTurn(runtime: Runtime, sessionId: string, text: string, options: ChatOptions): Promise<ChatReply> {
  const session = runtime.context(sessionId);
  const stored = restorable(session.get(CONVERSATION_CONTEXT)?.data);
  const probe = options.capabilities ?? (() => detectCapabilities(options.signal ? { signal: options.signal } : {}));
  const machine = conversationMachine.provide({
    actors: {
      callTool: fromPromise<unknown, ConversationToolCall>(({ input, signal }) => runtime.callTool(input.tool, input.input, { sessionId, signal, ...(options.workspaceRoot === undefined ? {} : { workspaceRoot: options.workspaceRoot }) })),
      detectCapabilities: fromPromise<ConversationCapabilities>(async () => summarize(await probe())),
    },
  });
  const actor = createActor(machine, {
    input: { sessionId, ...(options.imageTag === undefined ? {} : { imageTag: options.imageTag }) },
    ...(stored === undefined ? {} : { snapshot: stored }),
  });
  actor.start();
  try {
    actor.send({ type: 'USER.MESSAGE', text });
    const settled = await waitFor(actor, (snapshot) => Object.keys(snapshot.children).length === 0, options.signal ? { signal: options.signal } : {});
    session.share(CONVERSATION_CONTEXT, actor.getPersistedSnapshot(), { ttlMs: options.ttlMs ?? DAY_MS });
    return settled.context.reply;
  } finally {
    actor.stop();
  }
}

/**
 * A stored snapshot worth restoring: a settled, active conversation whose state still exists in
 * this machine. Anything else (an older machine's snapshot, foreign data) starts over.
 */
function restorable(data: unknown): Snapshot<unknown> | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const snapshot = data as { status?: unknown; value?: unknown; children?: unknown; context?: ConversationContext };
  const settled = typeof snapshot.children === 'object' && snapshot.children !== null && Object.keys(snapshot.children).length === 0;
  if (snapshot.status !== 'active' || !settled || !snapshot.context || !ChatReplySchema.safeParse(snapshot.context.reply).success) return undefined;
  try {
    conversationMachine.resolveState({ value: snapshot.value as StateValue, context: snapshot.context });
  } catch {
    return undefined;
  }
  // Shared-context entries are frozen; the actor gets its own copy.
  return structuredClone(data) as Snapshot<unknown>;
}

function summarize(capabilities: Capabilities | ConversationCapabilities): ConversationCapabilities {
  const { docker, trivy, kubectl, details } = capabilities;
  return { docker, trivy, kubectl, details: { ...details } };
}
