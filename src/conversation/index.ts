// orchkit/conversation: the step-by-step containerization chat. Named exports only. It drives the
// tool pack (orchkit/tools), so it is a sub-entry: `import 'orchkit'` loads neither.

export { chat, CONVERSATION_CONTEXT } from './conversationChat.js';
export type { ChatOptions } from './conversationChat.js';
export { conversationMachine } from './conversationMachine.js';
export type { ConversationEvent, ConversationToolCall } from './conversationMachine.js';
export { ChatReplySchema, ConversationStage } from './conversationReply.js';
export type { ChatReply } from './conversationReply.js';
