/** What a user message asks the conversation to do. */
export type ConversationCommand =
  | { kind: 'analyze'; path: string }
  | { kind: 'continue' }
  | { kind: 'skip' }
  | { kind: 'retry' }
  | { kind: 'build' }
  | { kind: 'push'; registry?: string }
  | { kind: 'autopilot'; on: boolean }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'unknown'; text: string };

export type ConversationCommandKind = ConversationCommand['kind'];

const CONTINUE = new Set(['continue', 'next', 'go', 'go on', 'yes', 'y', 'ok', 'okay', 'proceed', 'finish', 'done']);
const WORDS: Record<string, ConversationCommand> = {
  skip: { kind: 'skip' },
  retry: { kind: 'retry' },
  'try again': { kind: 'retry' },
  build: { kind: 'build' },
  status: { kind: 'status' },
  where: { kind: 'status' },
  help: { kind: 'help' },
  '?': { kind: 'help' },
};

/**
 * Reads a user message. A message that looks like a path (`./app`, `/src/app`, `.`) or
 * `analyze <path>` sets the repository; the rest are short commands, case-insensitive.
 *
 * @example
 * parseConversationCommand('analyze ./examples/apps/go-http'); // { kind: 'analyze', path: './examples/apps/go-http' }
 * parseConversationCommand('autopilot on');                    // { kind: 'autopilot', on: true }
 */
export function parseConversationCommand(text: string): ConversationCommand {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase().replace(/[.!]+$/, '');
  const analyze = /^(?:analy[sz]e|repo|repository|containeri[sz]e)\s+(.+)$/i.exec(trimmed);
  if (analyze?.[1] !== undefined) return { kind: 'analyze', path: unquote(analyze[1]) };
  if (looksLikePath(trimmed)) return { kind: 'analyze', path: unquote(trimmed) };
  const autopilot = /^autopilot\s+(on|off)$/.exec(lower);
  if (autopilot) return { kind: 'autopilot', on: autopilot[1] === 'on' };
  const push = /^push(?:\s+(?:to\s+)?(\S+))?$/i.exec(trimmed);
  if (push) return push[1] === undefined ? { kind: 'push' } : { kind: 'push', registry: push[1] };
  if (CONTINUE.has(lower)) return { kind: 'continue' };
  return WORDS[lower] ?? { kind: 'unknown', text: trimmed };
}

function looksLikePath(text: string): boolean {
  if (text === '.' || text === '..') return true;
  const path = unquote(text);
  return /^(?:\/|\.{1,2}[/\\]|[A-Za-z]:[/\\])/.test(path) && !/\s{2,}/.test(path);
}

function unquote(text: string): string {
  const trimmed = text.trim();
  return /^(["']).*\1$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}
