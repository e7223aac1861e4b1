import { assign, raise } from 'xstate';
import type { RepositoryAnalysis } from '../tools/analysis/RepositoryAnalysisSchema.js';
import { parseConversationCommand } from './conversationCommands.js';
import { appName, imageReference } from './conversationContext.js';
import { conversationReplies } from './conversationReplies.js';
import { repoPath, scanSummary, toDeployment, toDockerfile, toFailure, toImage, toManifests } from './conversationOutputs.js';
import { call, conversationSetup, failed, note, on, proceed, say, skipBuild } from './conversationSetup.js';

export type { ConversationEvent, ConversationToolCall } from './conversationSetup.js';

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
export const conversationMachine = conversationSetup.createMachine({
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
        running: {
          invoke: {
            src: 'callTool',
            input: call('analyze_repository', (c) => ({ path: c.repository })),
            onDone: { target: 'done', actions: assign({ analysis: ({ event }) => event.output as RepositoryAnalysis, error: null }) },
            onError: failed,
          },
        },
        done: proceed('analysis.done', '#conversation.dockerfile'),
        failed: { entry: say('analysis.failed'), on: { COMMAND: { guard: on('retry'), target: 'running' } } },
      },
    },
    dockerfile: {
      initial: 'choose',
      states: {
        choose: { always: [{ guard: 'hasDockerfile', target: 'validating' }, { target: 'generating' }] },
        generating: {
          invoke: {
            src: 'callTool',
            input: call('generate_dockerfile', (c) => ({ analysis: c.analysis, write: true, path: repoPath(c) })),
            onError: failed,
            onDone: { target: 'validating', actions: assign({ dockerfile: ({ event, context }) => ({ ...toDockerfile({ valid: false, issues: [], path: (event.output as { path?: string }).path }, context), generated: true }) }) },
          },
        },
        validating: {
          invoke: {
            src: 'callTool',
            input: call('validate_dockerfile', (c) => ({ path: c.dockerfile?.path ?? `${repoPath(c)}/${c.analysis?.dockerfiles[0] ?? 'Dockerfile'}` })),
            onError: failed,
            onDone: { target: 'done', actions: assign({ dockerfile: ({ event, context }) => toDockerfile(event.output, context) }) },
          },
        },
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
        running: {
          invoke: {
            src: 'callTool',
            input: call('build_image', (c) => ({ path: repoPath(c), tag: imageReference(c), dockerfile: c.analysis?.dockerfiles[0] ?? 'Dockerfile' })),
            onError: failed,
            onDone: [
              { guard: 'trivy', target: 'scanning', actions: assign({ image: ({ event }) => toImage(event.output), error: null }) },
              { target: 'done', actions: assign({ image: ({ event }) => toImage(event.output), error: null }) },
            ],
          },
        },
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
        running: {
          invoke: {
            src: 'callTool',
            input: call('push_image', (c) => ({ tag: c.image?.tag ?? imageReference(c), ...(c.push?.registry ? { registry: c.push.registry } : {}) })),
            onError: failed,
            onDone: { target: 'done', actions: assign({ push: ({ context, event }) => ({ pushed: true, reference: (event.output as { tag: string }).tag, reason: null, registry: context.push?.registry ?? null }), error: null }) },
          },
        },
        done: proceed('push.done', '#conversation.manifests'),
        failed: { entry: say('push.failed'), on: { COMMAND: [{ guard: on('retry', 'push'), target: 'running' }, { guard: on('skip'), target: '#conversation.manifests', actions: ['skipPush', say('push.skipped')] }] } },
      },
    },
    manifests: {
      initial: 'running',
      states: {
        running: {
          invoke: {
            src: 'callTool',
            input: call('generate_manifests', (c) => ({ name: appName(c), image: c.push?.reference ?? imageReference(c), analysis: c.analysis ?? undefined, write: true, outputDir: repoPath(c) })),
            onError: failed,
            onDone: { target: 'done', actions: assign({ manifests: ({ event, context }) => toManifests(event.output, context), error: null }) },
          },
        },
        done: proceed('manifests.done', '#conversation.deployment'),
        failed: { entry: say('manifests.failed'), on: { COMMAND: { guard: on('retry'), target: 'running' } } },
      },
    },
    deployment: {
      initial: 'running',
      states: {
        running: {
          invoke: {
            src: 'callTool',
            input: call('validate_manifests', (c) => ({ path: c.manifests?.dir ?? `${repoPath(c)}/k8s` })),
            onError: failed,
            onDone: { target: 'done', actions: assign({ deployment: ({ event }) => toDeployment(event.output), error: null }) },
          },
        },
        done: proceed('deployment.done', '#conversation.completed'),
        failed: { entry: say('deployment.failed'), on: { COMMAND: [{ guard: on('retry'), target: 'running' }, { guard: on('continue'), target: '#conversation.completed' }] } },
      },
    },
    completed: { entry: say('completed') },
  },
});
