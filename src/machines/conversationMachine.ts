import { assign, fromPromise, raise, setup } from 'xstate';
import { RuntimeError } from '../errors/RuntimeError.js';
import type { RepositoryAnalysis } from '../tools/analysis/RepositoryAnalysisSchema.js';
import { parseConversationCommand, type ConversationCommand, type ConversationCommandKind } from './conversationCommands.js';
import { imageReference, appName, type ConversationCapabilities, type ConversationContext, type ConversationInput } from './conversationContext.js';
import { conversationNotes, conversationReplies, stageOf, type ConversationReplyKey } from './conversationReplies.js';
import { repoPath, scanSummary, toDeployment, toDockerfile, toFailure, toImage, toManifests } from './conversationOutputs.js';
import { stageProgress } from './conversationReply.js';

/** Events of the conversation: a user message, parsed once into a command. */
export type ConversationEvent = { type: 'USER.MESSAGE'; text: string } | { type: 'COMMAND'; command: ConversationCommand; text: string };

/** Input of the `callTool` actor the runtime provides. */
export interface ConversationToolCall {
  tool: string;
  input: unknown;
}

type Note = Exclude<keyof typeof conversationNotes, 'unknown' | 'notHere'>;

const unprovided = (name: string) => async (): Promise<never> => {
  throw new RuntimeError('INVALID_OPTION', `the conversation machine needs a "${name}" actor: use chat(), or conversationMachine.provide({ actors })`);
};
const on = (...kinds: ConversationCommandKind[]) => ({ type: 'command', params: { kinds } }) as const;
const say = (key: ConversationReplyKey) => ({ type: 'say', params: { key } }) as const;
const note = (which: Note) => ({ type: 'note', params: { which } }) as const;
const skipBuild = (why: 'user' | 'engine' | 'failed') => ({ type: 'skipBuild', params: { why } }) as const;
/** A stage's result shown, then on to `target` on `continue`, or by itself under autopilot. */
const proceed = (key: ConversationReplyKey, target: string, guard: 'autopilot' | 'autopilotAndValid' = 'autopilot') => ({
  entry: say(key),
  always: { guard, target },
  on: { COMMAND: { guard: on('continue'), target } },
});
/** Invokes one tool through the runtime; its failure goes to the stage's `failed` state. */
const call = (tool: string, input: (context: ConversationContext) => unknown) => ({
  src: 'callTool' as const,
  input: ({ context }: { context: ConversationContext }) => ({ tool, input: input(context) }),
  onError: { target: 'failed', actions: 'setError' as const },
});

/**
 * The guided containerization conversation: welcome → preflight → analysis → dockerfile →
 * build → push → manifests → deployment → completed. Each `USER.MESSAGE` is parsed into a
 * command; each stage runs its tools through the invoked `callTool` actor (provided by
 * {@link chat}) and answers with `context.reply`. Context is JSON only: `getPersistedSnapshot()`
 * of a settled actor restores the conversation.
 *
 * @example
 * const actor = createActor(conversationMachine.provide({ actors: { callTool, detectCapabilities } }), { input: { sessionId } });
 */
export const conversationMachine = setup({
  types: {} as { context: ConversationContext; events: ConversationEvent; input: ConversationInput },
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
    note: assign(({ context, event }, { which }: { which: Note | 'unknown' }) => {
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
      ...{ analysis: null, dockerfile: null, image: null, push: null, manifests: null, deployment: null, error: null },
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
}).createMachine({
  id: 'conversation',
  context: ({ input }) => ({
    sessionId: input.sessionId, imageTag: input.imageTag ?? '0.1.0', repository: null, autopilot: false, capabilities: null, analysis: null,
    dockerfile: null, image: null, push: null, manifests: null, deployment: null, error: null, transcript: [],
    reply: { stage: 'welcome', ...conversationReplies.welcome(), progress: 0, autopilot: false },
  }),
  initial: 'welcome',
  on: {
    'USER.MESSAGE': { actions: ['beginTurn', raise(({ event }) => (event.type === 'USER.MESSAGE' ? { type: 'COMMAND' as const, command: parseConversationCommand(event.text), text: event.text } : event))] },
    COMMAND: [
      { guard: on('analyze'), target: '.restart', actions: 'setRepository' },
      { guard: on('autopilot'), actions: ['setAutopilot', { type: 'note', params: ({ context }) => ({ which: context.autopilot ? 'autopilotOn' : 'autopilotOff' }) }] },
      { guard: on('help'), actions: note('help') },
      { guard: on('skip'), actions: note('skipOnlyBuildOrPush') },
      { guard: on('status'), actions: 'repeat' },
      { actions: { type: 'note', params: { which: 'unknown' } } },
    ],
  },
  states: {
    welcome: { on: { COMMAND: { guard: on('unknown', 'continue'), actions: say('welcome') } } },
    restart: { always: 'preflight' },
    preflight: {
      initial: 'running',
      states: {
        running: {
          invoke: {
            src: 'detectCapabilities',
            onDone: { target: 'done', actions: assign({ capabilities: ({ event }) => event.output }) },
            onError: { target: 'done', actions: assign({ capabilities: ({ event }) => ({ docker: false, trivy: false, kubectl: false, details: { docker: `probe failed: ${toFailure(event.error).message}` } }) }) },
          },
        },
        done: proceed('preflight.done', '#conversation.analysis'),
      },
    },
    analysis: {
      initial: 'running',
      states: {
        running: call('analyze_repository', (c) => ({ path: c.repository }), { target: 'done', actions: assign({ analysis: ({ event }) => event.output as RepositoryAnalysis, error: null }) }),
        done: proceed('analysis.done', '#conversation.dockerfile'),
        failed: { entry: say('analysis.failed'), on: { COMMAND: { guard: on('retry'), target: 'running' } } },
      },
    },
    dockerfile: {
      initial: 'choose',
      states: {
        choose: { always: [{ guard: 'hasDockerfile', target: 'validating' }, { target: 'generating' }] },
        generating: call('generate_dockerfile', (c) => ({ analysis: c.analysis, write: true, path: repoPath(c) }), {
          target: 'validating',
          actions: assign({ dockerfile: ({ event, context }) => ({ path: (event.output as { path?: string }).path ?? repoPath(context), generated: true, valid: false, errors: 0, warnings: 0 }) }),
        }),
        validating: call('validate_dockerfile', (c) => ({ path: c.dockerfile?.path ?? `${repoPath(c)}/${c.analysis?.dockerfiles[0] ?? 'Dockerfile'}` }), {
          target: 'done',
          actions: assign({ dockerfile: ({ event, context }) => toDockerfile(event.output, context) }),
        }),
        // Autopilot stops at a Dockerfile that fails the lint: someone should look at it.
        done: proceed('dockerfile.done', '#conversation.build', 'autopilotAndValid'),
        failed: { entry: say('dockerfile.failed'), on: { COMMAND: { guard: on('retry'), target: 'choose' } } },
      },
    },
    build: {
      initial: 'choose',
      states: {
        choose: {
          always: [
            { guard: 'docker', target: 'ask' },
            { guard: 'autopilot', target: '#conversation.push', actions: [skipBuild('engine'), say('build.skipped')] },
            { target: 'unavailable' },
          ],
        },
        unavailable: {
          entry: say('build.unavailable'),
          always: { guard: 'autopilot', target: '#conversation.push', actions: [skipBuild('engine'), say('build.skipped')] },
          on: { COMMAND: [{ guard: on('skip'), target: '#conversation.push', actions: [skipBuild('engine'), say('build.skipped')] }, { guard: on('build', 'continue', 'retry'), actions: note('cannotBuild') }] },
        },
        ask: {
          entry: say('build.ask'),
          always: { guard: 'autopilot', target: 'running' },
          on: { COMMAND: [{ guard: on('build', 'continue'), target: 'running' }, { guard: on('skip'), target: '#conversation.push', actions: [skipBuild('user'), say('build.skipped')] }] },
        },
        running: call('build_image', (c) => ({ path: repoPath(c), tag: imageReference(c), dockerfile: c.analysis?.dockerfiles[0] ?? 'Dockerfile' }), [
          { guard: 'trivy', target: 'scanning', actions: assign({ image: ({ event }) => toImage(event.output), error: null }) },
          { target: 'done', actions: assign({ image: ({ event }) => toImage(event.output), error: null }) },
        ]),
        scanning: {
          invoke: {
            src: 'callTool',
            input: ({ context }) => ({ tool: 'scan_image_security', input: { image: context.image?.tag ?? imageReference(context) } }),
            onDone: { target: 'done', actions: assign({ image: ({ context, event }) => context.image && { ...context.image, scan: scanSummary(event.output) } }) },
            // A failed scan does not undo the build: it is reported, and the conversation goes on.
            onError: { target: 'done', actions: assign({ image: ({ context, event }) => context.image && { ...context.image, scan: `not scanned (${toFailure(event.error).code})` } }) },
          },
        },
        done: proceed('build.done', '#conversation.push'),
        failed: {
          entry: say('build.failed'),
          on: { COMMAND: [{ guard: on('retry', 'build'), target: 'running' }, { guard: on('skip'), target: '#conversation.push', actions: [skipBuild('failed'), say('build.skipped')] }] },
        },
      },
    },
    push: {
      initial: 'choose',
      states: {
        choose: { always: [{ guard: 'imageBuilt', target: 'ask' }, { target: 'nothing' }] },
        nothing: { ...proceed('push.nothing', '#conversation.manifests'), on: { COMMAND: { guard: on('continue', 'skip'), target: '#conversation.manifests' } } },
        // No autopilot here: where to push is the user's choice.
        ask: {
          entry: say('push.ask'),
          on: {
            COMMAND: [
              { guard: on('push'), target: 'running', actions: 'setRegistry' },
              { guard: on('skip'), target: '#conversation.manifests', actions: ['skipPush', say('push.skipped')] },
            ],
          },
        },
        running: call('push_image', (c) => ({ tag: c.image?.tag ?? imageReference(c), ...(c.push?.registry ? { registry: c.push.registry } : {}) }), {
          target: 'done',
          actions: assign({ push: ({ context, event }) => ({ pushed: true, reference: (event.output as { tag: string }).tag, reason: null, registry: context.push?.registry ?? null }), error: null }),
        }),
        done: proceed('push.done', '#conversation.manifests'),
        failed: { entry: say('push.failed'), on: { COMMAND: [{ guard: on('retry', 'push'), target: 'running' }, { guard: on('skip'), target: '#conversation.manifests', actions: ['skipPush', say('push.skipped')] }] } },
      },
    },
    manifests: {
      initial: 'running',
      states: {
        running: call(
          'generate_manifests',
          (c) => ({ name: appName(c), image: c.push?.reference ?? imageReference(c), port: c.analysis?.port ?? 8080, healthPath: c.analysis?.healthCheckPath ?? '/health', write: true, outputDir: repoPath(c) }),
          { target: 'done', actions: assign({ manifests: ({ event, context }) => toManifests(event.output, context), error: null }) },
        ),
        done: proceed('manifests.done', '#conversation.deployment'),
        failed: { entry: say('manifests.failed'), on: { COMMAND: { guard: on('retry'), target: 'running' } } },
      },
    },
    deployment: {
      initial: 'running',
      states: {
        running: call('validate_manifests', (c) => ({ path: c.manifests?.dir ?? `${repoPath(c)}/k8s` }), {
          target: 'done',
          actions: assign({ deployment: ({ event }) => toDeployment(event.output), error: null }),
        }),
        done: proceed('deployment.done', '#conversation.completed'),
        failed: { entry: say('deployment.failed'), on: { COMMAND: [{ guard: on('retry'), target: 'running' }, { guard: on('continue'), target: '#conversation.completed' }] } },
      },
    },
    completed: { entry: say('completed') },
  },
});
