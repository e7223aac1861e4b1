import { isToolError } from '../errors/ToolError.js';
import { runCommand, type RunCommandOptions } from './commandRunner.js';

/** What {@link probeCommand} saw: whether the command worked, and its first line or the reason it did not. */
export interface CommandProbe { ok: boolean; text: string }

/**
 * Runs a version-style command and never throws for a missing or failing binary (only for
 * cancellation): ok when it exits 0 with output.
 *
 * @example
 * const podman = await probeCommand('podman', ['version'], { timeoutMs: 5000 });
 */
export async function probeCommand(cmd: string, args: string[], options: RunCommandOptions): Promise<CommandProbe> {
  try {
    const result = await runCommand(cmd, args, options);
    const out = firstLine(result.stdout);
    if (result.exitCode === 0 && out !== '') return { ok: true, text: out };
    return { ok: false, text: firstLine(result.stderr) || out || `${cmd} exited with code ${String(result.exitCode)}` };
  } catch (error) {
    if (isToolError(error) && error.code !== 'CANCELLED') return { ok: false, text: error.message };
    throw error;
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '') ?? '';
}
