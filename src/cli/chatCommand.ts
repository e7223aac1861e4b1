import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { chat } from '../conversation/conversationChat.js';
import type { ChatReply } from '../conversation/conversationReply.js';
import { createRuntime } from '../runtime/createRuntime.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';

export interface ChatCommandOptions {
  session?: string;
  logger: Logger;
}

/**
 * `orchkit chat`: the guided containerization conversation in a terminal, one line per message,
 * until `exit` or end of input. The conversation lives in this process's runtime: `--session`
 * names it, but it does not outlive the process until the persistent store exists.
 */
export async function chatCommand(options: ChatCommandOptions): Promise<ExitCode> {
  const runtime = createRuntime({ tools: defaultTools(), logger: options.logger });
  const sessionId = options.session ?? randomUUID();
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const abort = new AbortController();
  lines.on('SIGINT', () => {
    abort.abort(new Error('interrupted'));
    lines.close();
  });
  try {
    print(await chat(runtime, sessionId, 'status'));
    lines.setPrompt('> ');
    lines.prompt();
    for await (const line of lines) {
      const text = line.trim();
      if (text === 'exit' || text === 'quit') break;
      if (text !== '') print(await chat(runtime, sessionId, text, { signal: abort.signal }));
      lines.prompt();
    }
    return ExitCode.ok;
  } catch (error) {
    if (abort.signal.aborted) return ExitCode.ok;
    throw error;
  } finally {
    lines.close();
    await runtime.stop();
  }
}

function print(reply: ChatReply): void {
  const header = `[${reply.stage} ${Math.round(reply.progress * 100)}%${reply.autopilot ? ' autopilot' : ''}]`;
  const options = reply.options.length > 0 ? `\n  options: ${reply.options.join(' | ')}` : '';
  process.stdout.write(`${header} ${reply.message}${options}\n`);
}
