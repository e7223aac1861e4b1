import type { RepositoryAnalysis } from '../tools/analysis/RepositoryAnalysisSchema.js';
import type { ChatReply } from './conversationReply.js';

/** The capabilities the conversation reports and decides on (a JSON subset of `detectCapabilities()`). */
export interface ConversationCapabilities {
  docker: boolean;
  trivy: boolean;
  kubectl: boolean;
  /** One line per probe: a version, or why it failed. */
  details: Record<string, string>;
}

/** A failure shown to the user. */
export interface ConversationFailure {
  code: string;
  message: string;
}

/**
 * Context of the conversation machine. JSON only, so that `getPersistedSnapshot()` can be
 * stored in the session's shared context and restored by the next message.
 */
export interface ConversationContext {
  sessionId: string;
  imageTag: string;
  /** As the user gave it; `analysis.path` holds the resolved directory. */
  repository: string | null;
  autopilot: boolean;
  capabilities: ConversationCapabilities | null;
  analysis: RepositoryAnalysis | null;
  dockerfile: { path: string; generated: boolean; valid: boolean; errors: number; warnings: number } | null;
  image: { tag: string; built: boolean; imageId: string | null; reason: string | null; scan: string | null } | null;
  push: { pushed: boolean; reference: string | null; registry: string | null; reason: string | null } | null;
  manifests: { files: string[]; dir: string } | null;
  deployment: { valid: boolean; problems: string[] } | null;
  error: ConversationFailure | null;
  /** Paragraphs said during the current message. */
  transcript: string[];
  reply: ChatReply;
}

/** Input of the conversation machine. */
export interface ConversationInput {
  sessionId: string;
  /** Tag of the image the conversation builds; `0.1.0` by default. */
  imageTag?: string;
}

/**
 * A Kubernetes name (DNS-1123 label) for the app, from the repository directory's name.
 *
 * @example
 * appName({ analysis: { path: '/tmp/Go_Http-1' } }); // 'go-http-1'
 */
export function appName(context: Pick<ConversationContext, 'analysis'>): string {
  const base = context.analysis?.path.split(/[/\\]/).filter(Boolean).pop() ?? 'app';
  const name = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return /^[a-z]/.test(name) ? name : `app-${name}`.slice(0, 63).replace(/-+$/, '');
}

/** The image reference the conversation builds and deploys. */
export function imageReference(context: Pick<ConversationContext, 'analysis' | 'imageTag'>): string {
  return `${appName(context)}:${context.imageTag}`;
}
