import { DockerfileParser, Keyword, type Arg, type Copy, type Env, type From, type Instruction } from 'dockerfile-ast';
import { checkImageTag } from '../validation/checkImageTag.js';
import { isAllowedRegistry } from '../validation/imageReference.js';
import { checkRunCommand } from './checkRunCommand.js';
import { DockerfileRule, type DockerfileIssue } from './DockerfileIssue.js';
import { imageLacks } from './imageLacks.js';
import { isLiteralSecret } from './secretName.js';

/** What {@link lintDockerfile} reports. */
export interface DockerfileLint {
  issues: DockerfileIssue[];
  /** Number of `FROM` instructions. */
  stages: number;
  /** External images the stages start from, in order, without repeats (stage references excluded). */
  baseImages: string[];
}

/** Facts from outside the Dockerfile that sharpen the checks. */
export interface LintOptions {
  /** ISO date for end-of-life checks; default today. */
  asOf?: string | undefined;
  /** Registries base images may come from; unchecked when absent. */
  allowedRegistries?: readonly string[] | undefined;
  /** Whether the build context holds a lock file (package-lock.json), when known. */
  hasLockFile?: boolean | undefined;
}

interface Stage {
  index: number;
  from: From;
  alias: string | undefined;
  /** The stage this one starts from, when it names an earlier stage. */
  parent: Stage | undefined;
  image: string | undefined;
  instructions: Instruction[];
}

const KNOWN = new Set<string>(Object.values(Keyword));
const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;
const REMOTE = /^(https?:\/\/|git@)/i;
const PORT = /^(\$\{?\w+\}?|\d{1,5}(-\d{1,5})?)(\/(tcp|udp|sctp))?$/i;
const ROOT_USER = /^(root|0|ContainerAdministrator)(:.*)?$/i;
const NUMERIC_USER = /^\d+(:\d+)?$/;

/** Adds one finding; severity and fix default from the rule table. */
export type Add = (rule: DockerfileRule, line: number, message: string, overrides?: { severity?: DockerfileIssue['severity']; fix?: string }) => void;

/**
 * Parses a Dockerfile with `dockerfile-ast` and checks it against {@link DockerfileRule}: syntax,
 * stage references, tag policy, registries, package-manager hygiene, permissions, secrets, the
 * user and the health check of the final stage. Issues are sorted by line; none means a clean file.
 *
 * @example
 * lintDockerfile('FROM node:latest\n').issues[0]?.rule; // 'NO_LATEST_TAG'
 */
export function lintDockerfile(text: string, options: LintOptions = {}): DockerfileLint {
  const dockerfile = DockerfileParser.parse(text);
  const issues: DockerfileIssue[] = [];
  const add: Add = (rule, line, message, overrides = {}) => {
    issues.push({ rule, severity: overrides.severity ?? DockerfileRule[rule].severity, line: line + 1, message, fix: overrides.fix ?? DockerfileRule[rule].fix });
  };
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  const froms = new Map(dockerfile.getFROMs().map((from) => [from.getRange().start.line, from]));
  const aliases = dockerfile.getFROMs().map((from) => from.getBuildStage()?.toLowerCase());
  const stages: Stage[] = [];
  const baseImages: string[] = [];

  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line;
    if (!KNOWN.has(keyword)) {
      add('UNKNOWN_INSTRUCTION', line, `unknown instruction "${instruction.getInstruction()}"`);
      continue;
    }
    if (instruction.getArguments().length === 0) add('MISSING_ARGUMENTS', line, `${keyword} has no arguments`);
    const from = froms.get(line);
    if (keyword === 'FROM' && from !== undefined) {
      stages.push(startStage(from, stages, baseImages, add, asOf, options.allowedRegistries));
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined && keyword !== 'ARG') add('MISSING_FROM', line, `${keyword} comes before the first FROM`);
    stage?.instructions.push(instruction);
    checkInstruction(keyword, instruction, add);
    if ((keyword === 'COPY' || keyword === 'ADD') && stage !== undefined) checkCopyFrom(instruction as Copy, stage, aliases, add);
    if (keyword === 'RUN' && stage !== undefined) checkRunCommand(commandOf(instruction), line, stage.instructions, add, options.hasLockFile);
  }
  if (stages.length === 0) add('MISSING_FROM', 0, 'no FROM instruction: a Dockerfile must start from an image');
  checkSecrets(dockerfile.getENVs(), dockerfile.getARGs(), add);
  const final = stages[stages.length - 1];
  if (final !== undefined) checkFinalStage(final, add);
  issues.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
  return { issues, stages: stages.length, baseImages };
}

function startStage(from: From, stages: readonly Stage[], baseImages: string[], add: Add, asOf: string, allowed: readonly string[] | undefined): Stage {
  const image = from.getImage() ?? undefined;
  const alias = from.getBuildStage()?.toLowerCase();
  const parent = image === undefined ? undefined : stages.find((stage) => stage.alias !== undefined && stage.alias === image.toLowerCase());
  const line = from.getRange().start.line;
  if (image !== undefined && alias !== undefined && image.toLowerCase() === alias && parent === undefined) {
    add('STAGE_SELF_REFERENCE', line, `FROM ${image} AS ${alias} names the stage itself; Docker pulls an image called ${image} instead`);
  }
  if (image !== undefined && parent === undefined && image !== 'scratch' && !image.includes('$')) {
    if (!baseImages.includes(image)) baseImages.push(image);
    for (const finding of checkImageTag(image, asOf)) add(finding.rule, line, `FROM ${finding.message}`, { severity: finding.severity, fix: finding.fix });
    if (allowed !== undefined && !isAllowedRegistry(image, allowed)) add('REGISTRY_NOT_ALLOWED', line, `FROM ${image}: the registry is not among ${allowed.join(', ')}`);
  }
  return { index: stages.length, from, alias, parent, image, instructions: [] };
}

function checkCopyFrom(copy: Copy, stage: Stage, aliases: readonly (string | undefined)[], add: Add): void {
  const value = copy.getFromFlag?.()?.getValue()?.toLowerCase();
  if (value === undefined || value === null || value === '' || value.includes('$')) return;
  const line = copy.getRange().start.line;
  const index = /^\d+$/.test(value) ? Number(value) : aliases.indexOf(value);
  if (index >= stage.index) {
    add('STAGE_SELF_REFERENCE', line, `COPY --from=${value} refers to ${index === stage.index ? 'the stage it is in' : 'a later stage'}; a stage can only copy from earlier ones`);
  } else if (index < 0 && !/[:/@]/.test(value)) {
    add('STAGE_UNKNOWN', line, `COPY --from=${value} names no stage of this Dockerfile, so Docker pulls an image called ${value}:latest`);
  }
}

function commandOf(instruction: Instruction): string {
  const content = instruction.getRawArgumentsContent()?.trim() ?? '';
  if (!content.startsWith('[')) return content.replace(/\\\r?\n/g, ' ');
  try {
    const words: unknown = JSON.parse(content);
    return Array.isArray(words) ? words.join(' ') : content;
  } catch {
    return content;
  }
}

function checkInstruction(keyword: string, instruction: Instruction, add: Add): void {
  const line = instruction.getRange().start.line;
  if (keyword === 'ADD') {
    const args = instruction.getArguments().map((argument) => argument.getValue()).filter((value) => !value.startsWith('--'));
    const sources = args.slice(0, -1);
    if (sources.some((source) => !REMOTE.test(source) && !ARCHIVE.test(source))) {
      add('ADD_INSTEAD_OF_COPY', line, 'ADD of local files: use COPY, which does not unpack archives or fetch URLs');
    }
  } else if (keyword === 'EXPOSE') {
    for (const argument of instruction.getArguments()) {
      const value = argument.getValue();
      const numbers = value.match(/\d+/g)?.map(Number) ?? [];
      if (!PORT.test(value) || (!value.includes('$') && numbers.some((port) => port < 1 || port > 65535))) {
        add('INVALID_PORT', argument.getRange().start.line, `EXPOSE ${value} is not a port, port range or variable`);
      }
    }
  } else if (keyword === 'MAINTAINER') {
    add('DEPRECATED_MAINTAINER', line, 'MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors');
  } else if (keyword === 'SHELL' || keyword === 'CMD' || keyword === 'ENTRYPOINT' || keyword === 'RUN') {
    const content = instruction.getRawArgumentsContent()?.trim() ?? '';
    if ((content.startsWith('[') || keyword === 'SHELL') && !isJsonStringArray(content)) {
      const shell = keyword === 'SHELL';
      add('INVALID_JSON_FORM', line, shell ? 'SHELL needs a JSON array of strings' : `${keyword} looks like JSON but is not a valid JSON array of strings, so Docker runs it through /bin/sh -c`, shell ? {} : { severity: 'warning' });
    }
  }
}

function checkSecrets(envs: readonly Env[], args: readonly Arg[], add: Add): void {
  const properties = [
    ...envs.flatMap((env) => env.getProperties().map((property) => ({ keyword: 'ENV', property }))),
    ...args.flatMap((arg) => {
      const property = arg.getProperty();
      return property === null ? [] : [{ keyword: 'ARG', property }];
    }),
  ];
  for (const { keyword, property } of properties) {
    if (!isLiteralSecret(property.getName(), property.getValue())) continue;
    add(
      'SECRET_IN_ENV',
      property.getNameRange().start.line,
      `${keyword} ${property.getName()} holds a literal secret, which stays in the image history; pass it at run time or mount it with RUN --mount=type=secret`,
    );
  }
}

function checkFinalStage(final: Stage, add: Add): void {
  const line = final.from.getRange().start.line;
  const chain: Stage[] = [];
  for (let stage: Stage | undefined = final; stage !== undefined; stage = stage.parent) chain.unshift(stage);
  const instructions = chain.flatMap((stage) => stage.instructions);
  const root = chain[0];
  const image = root?.image ?? '';
  const windows = /nanoserver|servercore|windows/i.test(image);
  const users = instructions.filter((instruction) => instruction.getKeyword() === 'USER');
  const lastUser = users[users.length - 1];
  const user = lastUser?.getArguments()[0]?.getValue();
  // Distroless :nonroot and Windows nanoserver (ContainerUser) images already run unprivileged.
  const unprivilegedImage = /nonroot/.test(image) || /nanoserver/i.test(image);
  if (lastUser === undefined && !unprivilegedImage) {
    add('RUNS_AS_ROOT', line, `the final stage sets no USER, so the container runs as ${windows ? 'ContainerAdministrator' : 'root'}; add a non-root USER`);
  } else if (lastUser !== undefined && user !== undefined && ROOT_USER.test(user)) {
    add('RUNS_AS_ROOT', lastUser.getRange().start.line, `USER ${user} runs the container as ${windows ? 'an administrator' : 'root'}; switch to a non-root user`);
  } else if (lastUser !== undefined && user !== undefined && !windows && !NUMERIC_USER.test(user) && !user.includes('$')) {
    add('USER_NOT_NUMERIC', lastUser.getRange().start.line, `USER ${user} is a name: Kubernetes runAsNonRoot cannot verify it and refuses to start the pod unless runAsUser is set`);
  }
  const healthcheck = instructions.filter((instruction) => instruction.getKeyword() === 'HEALTHCHECK').pop();
  if (healthcheck === undefined) {
    const exposes = instructions.some((instruction) => instruction.getKeyword() === 'EXPOSE');
    const noProbe = imageLacks(image, 'shell');
    add(
      'MISSING_HEALTHCHECK',
      line,
      !exposes ? 'the final stage has no HEALTHCHECK and exposes no port (fine for a worker or a stdio server)' : noProbe ? `the final stage has no HEALTHCHECK; ${image} cannot run one, so probe from the orchestrator` : 'the final stage has no HEALTHCHECK',
      noProbe || !exposes ? { severity: 'info' } : {},
    );
  } else {
    const command = commandOf(healthcheck);
    const installed = instructions.filter((instruction) => instruction.getKeyword() === 'RUN').map(commandOf).join('\n');
    for (const tool of ['curl', 'wget'] as const) {
      const uses = new RegExp(`(?:^|[\\s"'\\[,])${tool}(?:\\.exe)?\\b`).test(command);
      const installs = new RegExp(`(?:apk add|apt-get install|apt install|yum install|dnf install|microdnf install)[^&;|]*\\b${tool}\\b`).test(installed);
      if (uses && !installs && imageLacks(image, tool)) {
        add('HEALTHCHECK_TOOL_MISSING', healthcheck.getRange().start.line, `the HEALTHCHECK runs ${tool}, which ${image} does not have: the check always fails and the container is marked unhealthy`);
      }
    }
  }
}

function isJsonStringArray(content: string): boolean {
  try {
    const value: unknown = JSON.parse(content);
    return Array.isArray(value) && value.every((item) => typeof item === 'string');
  } catch {
    return false;
  }
}
