import type { ToolErrorSpec } from '../../actors/defineTool.js';
import { ErrorType } from '../../errors/ErrorInfo.js';
import type { ToolError } from '../../errors/ToolError.js';
import { toolFailure } from '../toolFailure.js';
import { engineErrors } from './engineErrors.js';
import type { EngineName } from './resolveEngine.js';
import { engineFailure, type EngineRun } from './runEngine.js';

/** The errors of `build_image`: the engine's, plus the build's own. */
export const buildErrors = {
  ...engineErrors,
  CONTEXT_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'The build context directory or the Dockerfile does not exist' },
  DOCKERFILE_INVALID: { type: ErrorType.validation, retryable: false, description: 'The engine could not parse the Dockerfile; details.line names the line when known' },
  BUILD_FAILED: { type: ErrorType.execution, retryable: false, description: 'The build ran and failed; details carry the log tail and the failing Dockerfile line' },
} as const satisfies Record<string, ToolErrorSpec>;

/** The Dockerfile instruction a build stopped at, and its 1-based line when found. */
export interface FailingInstruction { line?: number; instruction: string }

const LOG_TAIL = 50;

/**
 * The typed error of a failed build, read from the engine's log: `DOCKERFILE_INVALID` for a
 * parse error, engine and registry errors as {@link engineFailure} reads them (a base image
 * that cannot be pulled is `REGISTRY_UNREACHABLE`), else `BUILD_FAILED` naming the failing
 * instruction and its line in `dockerfile` (BuildKit prints the line; podman's STEP text is
 * looked up in the file).
 *
 * @example
 * if (run.exitCode !== 0) throw buildFailure('podman', run, dockerfileText);
 */
export function buildFailure(engine: EngineName, run: EngineRun, dockerfile: string): ToolError {
  const output = `${run.stderr}\n${run.stdout}`;
  const tail = run.log.slice(-LOG_TAIL);
  const parse = /dockerfile parse error[^\n]*|failed to parse dockerfile[^\n]*|unknown instruction[^\n]*/i.exec(output);
  if (parse) {
    const word = /unknown instruction:?\s*"?([A-Za-z]+)/i.exec(parse[0])?.[1];
    const printed = /line (\d+)/i.exec(parse[0])?.[1];
    const line = printed === undefined ? (word === undefined ? undefined : lineOf(dockerfile, word)) : Number(printed);
    const text = parse[0].replace(/^.*?(dockerfile parse error)/i, '$1').replace(/\s*&imagebuilder\.Step\{.*$/, '');
    return toolFailure(buildErrors, 'DOCKERFILE_INVALID', `the Dockerfile does not parse: ${text}${line === undefined ? '' : ` (line ${line})`}`, { line, logTail: tail });
  }
  const failing = engine === 'podman' ? podmanFailingStep(output, dockerfile) : buildkitFailingInstruction(run.log);
  const classified = engineFailure(engine, ['build'], run);
  if (classified.code !== 'ENGINE_COMMAND_FAILED' && classified.code !== 'IMAGE_NOT_FOUND') return classified;
  const at = failing ? ` at ${failing.instruction}${failing.line === undefined ? '' : ` (Dockerfile line ${failing.line})`}` : '';
  return toolFailure(buildErrors, 'BUILD_FAILED', `${engine} build failed (exit ${String(run.exitCode)})${at}: ${lastError(run.log) ?? 'see logTail'}`,
    { exitCode: run.exitCode, failing, logTail: tail });
}

/**
 * How far a build is, from a step line: BuildKit `#7 [build 2/5] RUN ...`, legacy docker
 * `Step 2/5 : RUN ...`, podman `STEP 2/5: RUN ...`.
 *
 * @example
 * buildStepFraction('STEP 2/4: COPY . .'); // 0.25
 */
export function buildStepFraction(line: string): number | undefined {
  const match = /^#\d+ \[(?:[^\]\s]+ )?(\d+)\/(\d+)\]/.exec(line) ?? /^Step (\d+)\/(\d+) :/.exec(line) ?? /^STEP (\d+)\/(\d+):/.exec(line);
  if (!match) return undefined;
  const total = Number(match[2]);
  return total > 0 ? Math.min(1, (Number(match[1]) - 1) / total) : undefined;
}

/** podman/buildah: `Error: building at STEP "RUN make": ...`; the line is the first instruction in the file that reads so. */
function podmanFailingStep(output: string, dockerfile: string): FailingInstruction | undefined {
  const instruction = /building at STEP "([^"]+)"/.exec(output)?.[1]?.trim();
  if (!instruction) return undefined;
  const line = lineOf(dockerfile, instruction);
  return line === undefined ? { instruction } : { line, instruction };
}

/** BuildKit prints `Dockerfile:12` then the source with `>>>` on the failing line; legacy prints `Step n/m : INSTR`. */
function buildkitFailingInstruction(log: readonly string[]): FailingInstruction | undefined {
  for (let i = log.length - 1; i >= 0; i -= 1) {
    const at = /^(?:#\d+ )?\S*Dockerfile[^:\s]*:(\d+)\s*$/.exec(log[i] ?? '');
    if (!at) continue;
    const source = log.slice(i + 1, i + 40).find((candidate) => candidate.includes('>>>'));
    const instruction = source?.replace(/^.*?>>>\s*/, '').trim() ?? '';
    return { line: Number(at[1]), instruction };
  }
  const step = [...log].reverse().find((line) => /^Step \d+\/\d+ :/.test(line));
  return step ? { instruction: step.replace(/^Step \d+\/\d+ :\s*/, '') } : undefined;
}

/** 1-based line of the first instruction whose text (whitespace folded, keyword case-free) starts with `text`. */
function lineOf(dockerfile: string, text: string): number | undefined {
  const want = fold(text);
  const lines = dockerfile.split(/\r?\n/);
  const index = lines.findIndex((line) => {
    const folded = fold(line);
    return folded !== '' && !folded.startsWith('#') && (folded.startsWith(want) || (want.length > 0 && folded.startsWith(want.split(' ')[0] ?? want) && want.startsWith(folded.replace(/\s*\\$/, ''))));
  });
  return index < 0 ? undefined : index + 1;
}

function fold(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const space = trimmed.indexOf(' ');
  return space < 0 ? trimmed.toUpperCase() : `${trimmed.slice(0, space).toUpperCase()}${trimmed.slice(space)}`;
}

function lastError(log: readonly string[]): string | undefined {
  return [...log].reverse().find((line) => /^(?:ERROR|Error|error)\b|returned a non-zero code/.test(line.replace(/^#\d+ /, '')));
}
