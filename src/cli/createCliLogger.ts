import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Logs to stderr: readable in a terminal (pino-pretty), JSON lines otherwise. */
export function createCliLogger(level: string): Logger {
  if (process.stderr.isTTY) {
    return pino({ level }, pretty({ destination: 2, colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino({ level }, pino.destination({ fd: 2, sync: true }));
}
