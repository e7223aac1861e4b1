import { assign, fromPromise, setup } from 'xstate';
import { RuntimeError } from '../errors/RuntimeError.js';
import type { ConversationCommand, ConversationCommandKind } from './conversationCommands.js';
import { imageReference, type ConversationCapabilities, type ConversationContext, type ConversationInput } from './conversationContext.js';
import { conversationNotes, conversationReplies, stageOf, type ConversationReplyKey } from './conversationReplies.js';
import { toFailure } from './conversationOutputs.js';
import { stageProgress } from './conversationReply.js';

/** Events of the conversation: a user message, parsed once into a command. */
export type ConversationEvent = { type: 'USER.MESSAGE'; text: string } | { type: 'COMMAND'; command: ConversationCommand; text: string };

/** Input of the `callTool` actor the runtime provides. */
export interface ConversationToolCall {
  tool: string;
  input: unknown;
}

/** Answers that do not move the conversation (help, autopilot, misplaced commands). */
export type ConversationNote = Exclude<keyof typeof conversationNotes, 'unknown' | 'notHere'>;

const unprovided = (name: string) => async (): Promise<never> => {
  throw new RuntimeError('INVALID_OPTION', `the conversation machine needs a "${name}" actor: use chat(), or conversationMachine.provide({ actors })`);
};
/** Guard: the message is one of these commands. */
export const on = (...kinds: ConversationCommandKind[]) => ({ type: 'command', params: { kinds } }) as const;
/** Action: say a stage's paragraph (and set its options and progress). */
export const say = (key: ConversationReplyKey) => ({ type: 'say', params: { key } }) as const;
/** Action: add a note to the reply, staying at the stage. */
export const note = (which: ConversationNote) => ({ type: 'note', params: { which } }) as const;
/** Action: record the build as skipped, and why. */
export const skipBuild = (why: 'user' | 'engine' | 'failed') => ({ type: 'skipBuild', params: { why } }) as const;
/** A stage's result shown, then on to `target` on `continue`, or by itself under autopilot. */
export const proceed = (key: ConversationReplyKey, target: string, guard: 'autopilot' | 'autopilotAndValid' = 'autopilot') => ({
  entry: say(key),
  always: { guard, target },
  on: { COMMAND: { guard: on('continue'), target } },
});
/** Input of the `callTool` actor: one tool of the runtime and its input. */
export const call = (tool: string, input: (context: ConversationContext) => unknown) => ({ context }: { context: ConversationContext }): ConversationToolCall => ({ tool, input: input(context) });
/** A tool's failure goes to the stage's `failed` state. */
export const failed = { target: 'failed', actions: 'setError' } as const;

/**
 * The conversation's implementations, captured once by XState's `setup`: the two actors the
 * runtime provides (`callTool`, `detectCapabilities`), guards on the parsed command and the
 * capabilities, and the actions that build each reply. {@link conversationMachine} is the flow.
 */
export const conversationSetup = setup({
  types: { context: {} as ConversationContext, events: {} as ConversationEvent, input: {} as ConversationInput },
  actors: {
    callTool: fromPromise<unknown, ConversationToolCall>(unprovided('callTool')),
    detectCapabilities: fromPromise<ConversationCapabilities>(unprovided('detectCapabilities')),
  },
  guards: {
    command: ({ event }, params: { kinds: ConversationCommandKind[] }) => event.type === 'COMMAND' && params.kinds.includes(event.command.kind),
    autopilot: ({ context }) => context.autopilot,
    autopilotAndValid: ({ context }) => context.autopilot && context.dockerfile?.valid === true,
    docker: ({ context }) => context.capabilities?.docker === true,
    trivy: ({ context }) => context.capabilities?.trivy === true,
    hasDockerfile: ({ context }) => context.dockerfile !== null || (context.analysis?.dockerfiles.length ?? 0) > 0,
    imageBuilt: ({ context }) => context.image?.built === true,
  },
  actions: {
    beginTurn: assign({ transcript: [] }),
    say: assign(({ context }, { key }: { key: ConversationReplyKey }) => {
      const said = conversationReplies[key](context);
      const transcript = [...context.transcript, said.message];
      const stage = stageOf(key);
      return { transcript, reply: { stage, message: transcript.join('\n\n'), options: said.options, progress: stageProgress(stage), autopilot: context.autopilot } };
    }),
    note: assign(({ context, event }, { which }: { which: ConversationNote | 'unknown' }) => {
      const said = event.type === 'COMMAND' ? event.text : '';
      const text = which !== 'unknown' ? conversationNotes[which] : event.type === 'COMMAND' && event.command.kind !== 'unknown' ? conversationNotes.notHere(said) : conversationNotes.unknown(said);
      const transcript = [...context.transcript, text];
      return { transcript, reply: { ...context.reply, message: transcript.join('\n\n'), autopilot: context.autopilot } };
    }),
    repeat: assign(({ context }) => ({ transcript: [context.reply.message] })),
    setError: assign({ error: ({ event }) => toFailure((event as { error?: unknown }).error) }),
    setAutopilot: assign({ autopilot: ({ event }) => event.type === 'COMMAND' && event.command.kind === 'autopilot' && event.command.on }),
    setRepository: assign(({ context, event }) => ({
      repository: event.type === 'COMMAND' && event.command.kind === 'analyze' ? event.command.path : context.repository,
      analysis: null, dockerfile: null, image: null, push: null, manifests: null, deployment: null, error: null,
    })),
    skipBuild: assign({
      image: ({ context }, { why }: { why: 'user' | 'engine' | 'failed' }) => ({
        tag: imageReference(context), built: false, imageId: null, scan: null,
        reason: why === 'user' ? 'skipped at your request' : why === 'failed' ? `the build failed (${context.error?.code ?? '?'})` : `no Docker engine (${context.capabilities?.details['docker'] ?? 'not probed'})`,
      }),
    }),
    skipPush: assign({ push: () => ({ pushed: false, reference: null, registry: null, reason: 'skipped at your request' }) }),
    setRegistry: assign({ push: ({ event }) => ({ pushed: false, reference: null, reason: null, registry: event.type === 'COMMAND' && event.command.kind === 'push' ? (event.command.registry ?? null) : null }) }),
  },
});
