import { appName, imageReference, type ConversationContext } from './conversationContext.js';
import type { ConversationStage } from './conversationReply.js';

/** One paragraph the conversation says, and what the user can answer. */
export interface Said {
  message: string;
  options: string[];
}

type Say = (context: ConversationContext) => Said;

const yesNo = (ok: boolean): string => (ok ? 'available' : 'not available');
const failure = (context: ConversationContext): string => (context.error ? `${context.error.code}: ${context.error.message}` : 'unknown error');
const detail = (context: ConversationContext, key: string): string => context.capabilities?.details[key] ?? 'not probed';

/**
 * The texts of the conversation, by stage and phase (`build.ask`). Kept apart from the machine
 * so that the machine reads as the flow and this file as the wording.
 */
export const conversationReplies = {
  welcome: () => ({
    message: 'Hello! I containerize a repository step by step: analysis, Dockerfile, image build and push, Kubernetes manifests. Which repository? Give its path, e.g. `./examples/apps/go-http` or `analyze <path>`.',
    options: ['<repository path>', 'analyze <path>', 'autopilot on', 'help'],
  }),
  'preflight.done': (c) => ({
    message: [
      `Repository: ${c.repository ?? '?'}. Preflight check of this machine:`,
      `- Docker engine: ${yesNo(c.capabilities?.docker === true)} (${detail(c, 'docker')})`,
      `- trivy: ${yesNo(c.capabilities?.trivy === true)} (${detail(c, 'trivy')})`,
      `- kubectl: ${yesNo(c.capabilities?.kubectl === true)} (${detail(c, 'kubectl')})`,
      c.capabilities?.docker ? 'Images can be built here.' : 'No image can be built here; I will still write the Dockerfile and the manifests.',
    ].join('\n'),
    options: ['continue', 'autopilot on'],
  }),
  'analysis.done': (c) => {
    const a = c.analysis;
    if (!a) return { message: 'No analysis.', options: ['retry'] };
    const dockerfiles = a.dockerfiles.length > 0 ? `existing Dockerfile: ${a.dockerfiles.join(', ')}` : 'no Dockerfile yet';
    return {
      message: `Analysis of ${a.path}: ${a.language}${a.languageVersion ? ` ${a.languageVersion}` : ''}, framework ${a.framework}, ${a.packageManager}, port ${a.port}, start: \`${a.startCommand}\`; ${dockerfiles}.${a.notes.length > 0 ? `\nNotes: ${a.notes.join('; ')}` : ''}`,
      options: ['continue'],
    };
  },
  'analysis.failed': (c) => ({ message: `The analysis failed: ${failure(c)}. Give another path, or fix it and retry.`, options: ['retry', 'analyze <path>'] }),
  'dockerfile.done': (c) => {
    const d = c.dockerfile;
    if (!d) return { message: 'No Dockerfile.', options: ['retry'] };
    const verdict = d.valid ? `valid (${d.warnings} warning(s))` : `INVALID: ${d.errors} error(s), ${d.warnings} warning(s) — fix it before building`;
    return { message: `${d.generated ? 'Wrote' : 'Kept the existing'} Dockerfile ${d.path}; lint: ${verdict}.`, options: d.valid ? ['continue'] : ['retry', 'continue'] };
  },
  'dockerfile.failed': (c) => ({ message: `The Dockerfile step failed: ${failure(c)}.`, options: ['retry', 'analyze <path>'] }),
  'build.unavailable': (c) => ({
    message: `Build: no Docker engine is available here (${detail(c, 'docker')}), so no image can be built. Start one and run the conversation again, or say \`skip\`.`,
    options: ['skip'],
  }),
  'build.ask': (c) => ({ message: `Build the image ${imageReference(c)} with docker${c.capabilities?.trivy ? ' and scan it with trivy' : ''}?`, options: ['build', 'skip'] }),
  'build.done': (c) => ({ message: `Built ${c.image?.tag ?? '?'} (${c.image?.imageId ?? 'no id'}).${c.image?.scan ? ` Scan: ${c.image.scan}.` : ''}`, options: ['continue'] }),
  'build.failed': (c) => ({ message: `The build failed: ${failure(c)}.`, options: ['retry', 'skip'] }),
  'build.skipped': (c) => ({ message: `Build skipped: ${c.image?.reason ?? 'by request'}.`, options: [] }),
  'push.nothing': () => ({ message: 'Push: nothing to push, since the image was not built.', options: ['continue'] }),
  'push.ask': (c) => ({ message: `Push ${c.image?.tag ?? '?'}? Say \`push <registry>\` (e.g. \`push ghcr.io/acme\`), \`push\` to push the tag as it is, or \`skip\`.`, options: ['push <registry>', 'push', 'skip'] }),
  'push.done': (c) => ({ message: `Pushed ${c.push?.reference ?? '?'}.`, options: ['continue'] }),
  'push.failed': (c) => ({ message: `The push failed: ${failure(c)}.`, options: ['retry', 'skip'] }),
  'push.skipped': (c) => ({ message: `Push skipped: ${c.push?.reason ?? 'by request'}.`, options: [] }),
  'manifests.done': (c) => ({ message: `Wrote Kubernetes manifests for ${appName(c)}: ${c.manifests?.files.join(', ') ?? 'none'}.`, options: ['continue'] }),
  'manifests.failed': (c) => ({ message: `Generating the manifests failed: ${failure(c)}.`, options: ['retry'] }),
  'deployment.done': (c) => {
    const ok = c.deployment?.valid === true;
    const check = ok ? 'The manifests pass the structural check.' : `The manifests have problems: ${c.deployment?.problems.join('; ') ?? '?'}.`;
    const kubectl = c.capabilities?.kubectl ? 'kubectl is installed' : 'kubectl is not installed here';
    const image = c.image?.built ? '' : ' The image was not built, so the cluster cannot pull it yet.';
    return { message: `${check} To deploy: \`kubectl apply -f ${c.manifests?.dir ?? 'k8s'}\` (${kubectl}; orchkit does not apply to a cluster itself).${image}`, options: ['finish'] };
  },
  'deployment.failed': (c) => ({ message: `Checking the manifests failed: ${failure(c)}.`, options: ['retry', 'finish'] }),
  completed: (c) => ({
    message: `Done: ${c.dockerfile?.path ?? 'no Dockerfile'}; image ${c.image?.built ? c.image.tag : 'not built'}; manifests in ${c.manifests?.dir ?? '?'}. Say \`analyze <path>\` to containerize another repository.`,
    options: ['analyze <path>'],
  }),
} satisfies Record<string, Say>;

export type ConversationReplyKey = keyof typeof conversationReplies;

/** The stage a reply key belongs to. */
export function stageOf(key: ConversationReplyKey): ConversationStage {
  return key.split('.')[0] as ConversationStage;
}

/** Answers to messages that do not move the conversation. */
export const conversationNotes = {
  help: 'Say a repository path (or `analyze <path>`) to start over, `continue` to go on, `skip` to pass the build or the push, `retry` after a failure, `autopilot on|off`, `status`.',
  autopilotOn: 'Autopilot is on: I go on by myself wherever no answer is needed.',
  autopilotOff: 'Autopilot is off: I wait for you after each stage.',
  skipOnlyBuildOrPush: '`skip` applies to the build and the push stages only.',
  cannotBuild: 'I cannot build: there is no Docker engine here.',
  unknown: (text: string) => `I did not understand "${text.slice(0, 80)}".`,
  notHere: (text: string) => `"${text.slice(0, 80)}" does not apply at this stage.`,
} as const;
