import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { heldStderr } from './heldStderr.js';

/** Logs to stderr (through {@link heldStderr}): readable in a terminal (pino-pretty), JSON lines otherwise. */
export function createCliLogger(level: string): Logger {
  if (process.stderr.isTTY) {
    return pino({ level }, pretty({ destination: heldStderr.stream, colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino({ level }, heldStderr.stream);
}
