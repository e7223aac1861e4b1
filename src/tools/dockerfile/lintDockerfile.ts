import { DockerfileParser, Keyword, type Arg, type Env, type From, type Instruction } from 'dockerfile-ast';
import { flavourOf } from './baseImages.js';
import { DockerfileRule, type DockerfileIssue } from './DockerfileIssue.js';
import { isLiteralSecret } from './secretName.js';

/** What {@link lintDockerfile} reports. */
export interface DockerfileLint {
  issues: DockerfileIssue[];
  /** Number of `FROM` instructions. */
  stages: number;
  /** External images the stages start from, in order, without repeats (stage references excluded). */
  baseImages: string[];
}

interface Stage {
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
const ROOT_USER = /^(root|0)(:.*)?$/;

/**
 * Parses a Dockerfile with `dockerfile-ast` and checks it against {@link DockerfileRule}.
 * Issues are sorted by line; none means a clean file.
 *
 * @example
 * lintDockerfile('FROM node:latest\n').issues[0]?.rule; // 'NO_LATEST_TAG'
 */
export function lintDockerfile(text: string): DockerfileLint {
  const dockerfile = DockerfileParser.parse(text);
  const issues: DockerfileIssue[] = [];
  const add = (rule: keyof typeof DockerfileRule, line: number, message: string, severity: DockerfileIssue['severity'] = DockerfileRule[rule]): void => {
    issues.push({ rule, severity, line: line + 1, message });
  };
  const froms = new Map(dockerfile.getFROMs().map((from) => [from.getRange().start.line, from]));
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
      stages.push(startStage(from, stages, baseImages, add));
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined && keyword !== 'ARG') add('MISSING_FROM', line, `${keyword} comes before the first FROM`);
    stage?.instructions.push(instruction);
    checkInstruction(keyword, instruction, add);
  }
  if (stages.length === 0) add('MISSING_FROM', 0, 'no FROM instruction: a Dockerfile must start from an image');
  checkSecrets(dockerfile.getENVs(), dockerfile.getARGs(), add);
  const final = stages[stages.length - 1];
  if (final !== undefined) checkFinalStage(final, add);
  issues.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
  return { issues, stages: stages.length, baseImages };
}

type Add = (rule: keyof typeof DockerfileRule, line: number, message: string, severity?: DockerfileIssue['severity']) => void;

function startStage(from: From, stages: readonly Stage[], baseImages: string[], add: Add): Stage {
  const image = from.getImage() ?? undefined;
  const alias = from.getBuildStage()?.toLowerCase();
  const parent = image === undefined ? undefined : stages.find((stage) => stage.alias !== undefined && stage.alias === image.toLowerCase());
  const line = from.getRange().start.line;
  if (image !== undefined && parent === undefined && image !== 'scratch' && !image.includes('$')) {
    if (!baseImages.includes(image)) baseImages.push(image);
    const tag = from.getImageTag();
    if (from.getImageDigest() === null && tag === null) add('NO_LATEST_TAG', line, `FROM ${image} has no tag, so it means ${image}:latest; pin a version`);
    else if (tag === 'latest') add('NO_LATEST_TAG', line, `FROM ${image} uses the moving "latest" tag; pin a version`);
  }
  return { from, alias, parent, image, instructions: [] };
}

function checkInstruction(keyword: string, instruction: Instruction, add: Add): void {
  const line = instruction.getRange().start.line;
  if (keyword === 'ADD') {
    const args = instruction.getArguments().map((argument) => argument.getValue());
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
      add('INVALID_JSON_FORM', line, shell ? 'SHELL needs a JSON array of strings' : `${keyword} looks like JSON but is not a valid JSON array of strings, so Docker runs it through /bin/sh -c`, shell ? 'error' : 'warning');
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
  const users = instructions.filter((instruction) => instruction.getKeyword() === 'USER');
  const lastUser = users[users.length - 1];
  const user = lastUser?.getArguments()[0]?.getValue();
  const image = root?.image ?? '';
  if (lastUser === undefined && !/nonroot/.test(image)) {
    add('RUNS_AS_ROOT', line, 'the final stage sets no USER, so the container runs as root; add a non-root USER');
  } else if (lastUser !== undefined && user !== undefined && ROOT_USER.test(user)) {
    add('RUNS_AS_ROOT', lastUser.getRange().start.line, `USER ${user} runs the container as root; switch to a non-root user`);
  }
  if (!instructions.some((instruction) => instruction.getKeyword() === 'HEALTHCHECK')) {
    const noProbe = flavourOf(image) === 'distroless';
    add(
      'MISSING_HEALTHCHECK',
      line,
      noProbe ? `the final stage has no HEALTHCHECK; ${image} cannot run one, so probe from the orchestrator` : 'the final stage has no HEALTHCHECK',
      noProbe ? 'info' : 'warning',
    );
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
