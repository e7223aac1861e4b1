import { z } from 'zod';

/** Stages of the guided containerization conversation, in order. */
export const ConversationStage = {
  welcome: 'welcome',
  preflight: 'preflight',
  analysis: 'analysis',
  dockerfile: 'dockerfile',
  build: 'build',
  push: 'push',
  manifests: 'manifests',
  deployment: 'deployment',
  completed: 'completed',
} as const;
export type ConversationStage = (typeof ConversationStage)[keyof typeof ConversationStage];

const STAGES = Object.values(ConversationStage);

/** What the conversation answers to each message. */
export const ChatReplySchema = z.object({
  stage: z.enum(STAGES as [ConversationStage, ...ConversationStage[]]),
  /** What happened during this message, one paragraph per stage passed. */
  message: z.string(),
  /** What the user can say next. */
  options: z.array(z.string()),
  /** Share of the stages done, 0 at welcome and 1 when completed. */
  progress: z.number().min(0).max(1),
  autopilot: z.boolean(),
});
export type ChatReply = z.infer<typeof ChatReplySchema>;

/**
 * Share of the stages done when the conversation is at `stage`.
 *
 * @example
 * stageProgress('completed'); // 1
 */
export function stageProgress(stage: ConversationStage): number {
  return Math.round((STAGES.indexOf(stage) / (STAGES.length - 1)) * 100) / 100;
}
