/**
 * A command line as the JSON (exec) form of CMD/ENTRYPOINT, so the process runs as PID 1 and
 * receives SIGTERM. Quotes group words; a command needing a shell (pipes, `&&`, `$VAR`) is
 * wrapped in `sh -c`.
 *
 * @example
 * execForm('gunicorn --bind 0.0.0.0:8000 app:app'); // '["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]'
 */
export function execForm(command: string): string {
  const words = /[|&;<>$`]/.test(command) ? ['sh', '-c', command] : [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
  return `[${words.map((word) => JSON.stringify(word)).join(', ')}]`;
}
