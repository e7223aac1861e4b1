import { DockerfileParser, type From, type Instruction } from 'dockerfile-ast';
import { healthCheckFor } from '../analysis/healthCheckFor.js';
import { flavourOf } from './baseImages.js';
import type { DockerfileIssue } from './DockerfileIssue.js';
import { lintDockerfile } from './lintDockerfile.js';
import { nonRootUser } from './nonRootUser.js';
import { pinnedImage } from './pinnedImages.js';
import { renderHealthcheck } from './renderHealthcheck.js';
import { isLiteralSecret } from './secretName.js';

/** Facts from the repository analysis that make a patch more precise. */
export interface PatchHints {
  port?: number | undefined;
  healthCheckPath?: string | undefined;
}

/** A patched Dockerfile, what changed, and the issues left after the patch. */
export interface DockerfilePatch {
  dockerfile: string;
  changes: string[];
  remaining: DockerfileIssue[];
}

interface CharEdit {
  line: number;
  start: number;
  end: number;
  text: string;
}
interface LineEdit {
  /** First line replaced (or, with `end` < `start`, the line inserted before). */
  start: number;
  end: number;
  lines: string[];
}

const ARCHIVE_OR_REMOTE = /^(https?:\/\/|git@)|\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;

/**
 * Fixes what can be fixed mechanically in a Dockerfile: pins `latest`/untagged base images of
 * known families, moves literal secrets out of `ENV`/`ARG` (leaving a comment on how to pass
 * them), turns local `ADD` into `COPY`, adds a non-root `USER` (creating it when the image has
 * none, and chowning the final stage's copies) and a `HEALTHCHECK` where the image can run one.
 * Unknown instructions or a missing `FROM` are left for a human: see `remaining`.
 *
 * @example
 * const { dockerfile, changes } = patchDockerfile('FROM node:latest\nCMD ["node", "index.js"]\n');
 */
export function patchDockerfile(text: string, hints: PatchHints = {}): DockerfilePatch {
  const parsed = DockerfileParser.parse(text);
  const lines = text.split('\n');
  const charEdits: CharEdit[] = [];
  const lineEdits: LineEdit[] = [];
  const changes: string[] = [];
  const instructions = parsed.getInstructions();
  const froms = parsed.getFROMs();
  const final = froms[froms.length - 1];
  const finalLine = final?.getRange().start.line ?? Number.POSITIVE_INFINITY;
  const aliases = new Set(froms.map((from) => from.getBuildStage()?.toLowerCase()).filter((alias) => alias !== undefined));

  let finalImage = final?.getImage() ?? '';
  for (const from of froms) {
    const pinned = pinFor(from, aliases);
    const range = from.getImageRange();
    if (pinned === undefined || range === null) continue;
    charEdits.push({ line: range.start.line, start: range.start.character, end: range.end.character, text: pinned });
    changes.push(`line ${range.start.line + 1}: pinned ${from.getImage() ?? ''} to ${pinned}`);
    if (from === final) finalImage = pinned;
  }

  for (const env of parsed.getENVs()) {
    const properties = env.getProperties();
    const secrets = properties.filter((property) => isLiteralSecret(property.getName(), property.getValue()));
    if (secrets.length === 0) continue;
    const kept = properties.filter((property) => !secrets.includes(property)).map((property) => sliceRange(lines, property.getRange()));
    const range = env.getRange();
    lineEdits.push({ start: range.start.line, end: range.end.line, lines: [...secrets.map((property) => secretComment(property.getName())), ...(kept.length > 0 ? [`ENV ${kept.join(' ')}`] : [])] });
    for (const property of secrets) changes.push(`line ${range.start.line + 1}: removed the literal value of ENV ${property.getName()}; pass it at run time`);
  }
  for (const arg of parsed.getARGs()) {
    const property = arg.getProperty();
    if (property === null || !isLiteralSecret(property.getName(), property.getValue())) continue;
    const range = arg.getRange();
    lineEdits.push({ start: range.start.line, end: range.end.line, lines: [secretComment(property.getName()), `ARG ${property.getName()}`] });
    changes.push(`line ${range.start.line + 1}: removed the default value of ARG ${property.getName()}`);
  }

  const finalStage = instructions.filter((instruction) => instruction.getRange().start.line > finalLine);
  const users = finalStage.filter((instruction) => instruction.getKeyword() === 'USER');
  const lastUser = users[users.length - 1];
  const lastUserName = lastUser?.getArguments()[0]?.getValue();
  const needsUser = final !== undefined && !/nonroot/.test(finalImage) && (lastUser === undefined || /^(root|0)(:.*)?$/.test(lastUserName ?? ''));
  const user = nonRootUser(flavourOf(finalImage));

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    if (keyword !== 'ADD' && keyword !== 'COPY') continue;
    const local = keyword === 'ADD' && instruction.getArguments().slice(0, -1).some((argument) => !ARCHIVE_OR_REMOTE.test(argument.getValue()));
    const chown = needsUser && instruction.getRange().start.line > finalLine && !/--chown/.test(instruction.getTextContent());
    if (!local && !chown) continue;
    const range = instruction.getInstructionRange();
    charEdits.push({ line: range.start.line, start: range.start.character, end: range.end.character, text: `${local ? 'COPY' : keyword}${chown ? ` --chown=${user.owner}` : ''}` });
    if (local) changes.push(`line ${range.start.line + 1}: ADD of local files replaced by COPY`);
  }

  const start = finalStage.find((instruction) => instruction.getKeyword() === 'CMD' || instruction.getKeyword() === 'ENTRYPOINT');
  const insertAt = start?.getRange().start.line ?? (lines[lines.length - 1] === '' ? lines.length - 1 : lines.length);
  const tail: string[] = [];
  if (needsUser) {
    if (user.create !== undefined) lineEdits.push({ start: finalLine + 1, end: finalLine, lines: [user.create] });
    if (lastUser !== undefined) {
      lineEdits.push({ start: lastUser.getRange().start.line, end: lastUser.getRange().end.line, lines: [`USER ${user.owner}`] });
      changes.push(`line ${lastUser.getRange().start.line + 1}: USER ${lastUserName ?? ''} replaced by USER ${user.owner}`);
    } else {
      tail.push(`USER ${user.owner}`);
      changes.push(`added USER ${user.owner} to the final stage, with --chown on its COPY instructions`);
    }
    if (user.create !== undefined) changes.push(`after line ${finalLine + 1}: created the app user (${user.owner})`);
  }
  if (final !== undefined && !finalStage.some((instruction) => instruction.getKeyword() === 'HEALTHCHECK')) {
    const port = exposedPort(finalStage) ?? hints.port;
    if (port !== undefined && flavourOf(finalImage) !== 'distroless') {
      const health = healthCheckFor(port, hints.healthCheckPath);
      const healthcheck = renderHealthcheck({ image: finalImage, port, health });
      if (healthcheck.some((line) => line.startsWith('HEALTHCHECK'))) {
        tail.push(...healthcheck);
        changes.push(`added a HEALTHCHECK probing ${health.type === 'http' ? `http://127.0.0.1:${port}${health.path ?? '/'}` : `TCP port ${port}`}`);
      }
    }
  }
  if (tail.length > 0) lineEdits.push({ start: insertAt, end: insertAt - 1, lines: tail });

  const patched = applyEdits(lines, charEdits, lineEdits);
  return { dockerfile: patched, changes, remaining: lintDockerfile(patched).issues };
}

function pinFor(from: From, aliases: ReadonlySet<string>): string | undefined {
  const image = from.getImage();
  const name = from.getImageName();
  if (image === null || name === null || image.includes('$') || image === 'scratch' || aliases.has(image.toLowerCase())) return undefined;
  if (from.getImageDigest() !== null) return undefined;
  const tag = from.getImageTag();
  if (tag !== null && tag !== 'latest') return undefined;
  return pinnedImage(name);
}

function exposedPort(stage: readonly Instruction[]): number | undefined {
  for (const instruction of stage) {
    if (instruction.getKeyword() !== 'EXPOSE') continue;
    const port = Number(/^\d+/.exec(instruction.getArguments()[0]?.getValue() ?? '')?.[0]);
    if (port > 0) return port;
  }
  return undefined;
}

function secretComment(name: string): string {
  return `# ${name}: literal secret removed; pass it at run time (docker run -e ${name}, a Kubernetes Secret) or at build time with RUN --mount=type=secret,id=${name.toLowerCase()}`;
}

function sliceRange(lines: readonly string[], range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  if (range.start.line === range.end.line) return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
  const parts = [(lines[range.start.line] ?? '').slice(range.start.character)];
  for (let line = range.start.line + 1; line < range.end.line; line += 1) parts.push(lines[line] ?? '');
  parts.push((lines[range.end.line] ?? '').slice(0, range.end.character));
  return parts.join('\n');
}

/** Character edits first (they keep line numbers), then line edits from the bottom up. */
function applyEdits(source: readonly string[], charEdits: readonly CharEdit[], lineEdits: readonly LineEdit[]): string {
  const lines = [...source];
  for (const edit of [...charEdits].sort((a, b) => b.line - a.line || b.start - a.start)) {
    const line = lines[edit.line] ?? '';
    lines[edit.line] = line.slice(0, edit.start) + edit.text + line.slice(edit.end);
  }
  for (const edit of [...lineEdits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    lines.splice(edit.start, Math.max(0, edit.end - edit.start + 1), ...edit.lines);
  }
  return lines.join('\n');
}
