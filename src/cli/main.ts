import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createCliLogger } from './createCliLogger.js';
import { ExitCode } from './exitCodes.js';
import { chatCommand } from './chatCommand.js';
import { graphCommand, type GraphFormat } from './graphCommand.js';
import { inspectCommand, type InspectMode } from './inspectCommand.js';
import { mcpCommand, parsePort, parsePositiveInteger } from './mcpCommand.js';
import { runCommand } from './runCommand.js';
import { DEFAULT_STORE, runsRequestCommand, runsListCommand, runsResumeCommand, runsShowCommand, workerCommand } from './runsCommand.js';
import { runsSignalCommand } from './runsSignalCommand.js';
import { scheduleListCommand, schedulePauseCommand, scheduleTriggerCommand } from './scheduleCommand.js';
import { queueWorkerCommand } from './workerCommand.js';
import { parseMaxPaths, testCommand } from './testCommand.js';
import { validateCommand } from './validateCommand.js';

// src/cli/main.ts and dist/cli/main.js both sit two levels below package.json.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('orchkit')
  .description('Run, check and inspect orchkit workflows')
  .version(version, '-V, --version', 'print the orchkit version')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : ExitCode.invalid));

program
  .command('run')
  .description('run a workflow file (YAML or JSON) with live step progress')
  .argument('<file>', 'workflow definition')
  .option('-i, --input <key=value>', 'workflow input (repeatable; JSON values allowed)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--input-file <file>', 'workflow input as a JSON object')
  .option('--json', 'print the result as JSON (no progress display)')
  .option('--store <url>', 'journal the run durably in this store (sqlite:<path>, postgres://...); resume it with orchkit runs resume')
  .addOption(new Option('--inspect [mode]', 'watch the run on 127.0.0.1 (stately: Stately Inspector, needs the internet; local: offline page); keeps serving until Ctrl-C').choices(['stately', 'local']).preset('stately'))
  // The step list and the summary report failed steps; warn adds a log line per failed tool call.
  .addOption(new Option('--log-level <level>', 'log level on stderr (warn: also log each failed tool call)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('error'))
  .action(async (file: string, opts: { input: string[]; inputFile?: string; json?: boolean; inspect?: InspectMode; logLevel: string }) => {
    process.exitCode = await runCommand(file, { ...opts, logger: createCliLogger(opts.logLevel) });
  });

program
  .command('inspect')
  .description('run a workflow file and watch its steps change colour on an offline page served on 127.0.0.1; serves until Ctrl-C')
  .argument('<file>', 'workflow definition')
  .option('-i, --input <key=value>', 'workflow input (repeatable; JSON values allowed)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--input-file <file>', 'workflow input as a JSON object')
  .option('--port <port>', 'HTTP port; 0 picks a free one', parsePort, 0)
  .option('--wait', 'start the run only once the page is open')
  .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
  .action(async (file: string, opts: { input: string[]; inputFile?: string; port: number; wait?: boolean; logLevel: string }) => {
    process.exitCode = await inspectCommand(file, { ...opts, logger: createCliLogger(opts.logLevel) });
  });

program
  .command('validate')
  .description('check a workflow file and report every problem with its line and column')
  .argument('<file>', 'workflow definition')
  .option('--json', 'print the report as JSON')
  .action(async (file: string, opts: { json?: boolean }) => {
    process.exitCode = await validateCommand(file, opts);
  });

program
  .command('graph')
  .description('draw a workflow: its step DAG, or with --machine its compiled statechart')
  .argument('<file>', 'workflow definition')
  .addOption(new Option('-f, --format <format>', 'diagram format').choices(['mermaid', 'dot', 'json']).default('mermaid'))
  .option('--machine', 'draw the compiled state machine instead of the step DAG')
  .option('-o, --output <file>', 'write the diagram to a file instead of stdout')
  .action(async (file: string, opts: { format: GraphFormat; machine?: boolean; output?: string }) => {
    process.exitCode = await graphCommand(file, opts);
  });

program
  .command('test')
  .description('replay every outcome path of a workflow file (declared errors, timeouts, conditions) with stand-in tools; print coverage and counterexamples')
  .argument('<file>', 'workflow definition')
  .option('--max-paths <n>', 'replay at most n paths, the shortest first', parseMaxPaths)
  .option('--json', 'print the report as JSON')
  .action(async (file: string, opts: { maxPaths?: number; json?: boolean }) => {
    process.exitCode = await testCommand(file, opts);
  });

program
  .command('mcp')
  .description('serve the tools, the workflows and the conversation to AI clients over MCP (stdio, or Streamable HTTP with --http)')
  .option('--http', 'serve over Streamable HTTP instead of stdio')
  .option('--port <port>', 'HTTP port; 0 picks a free one', parsePort, 0)
  .option('--host <host>', 'HTTP interface to bind', '127.0.0.1')
  .option('--token <token>', 'require this bearer token over HTTP (default: $ORCHKIT_MCP_TOKEN)')
  .option('--workflows <dir>', 'directory of the workflow files list_workflows shows', 'examples')
  .option('--workspace <dir>', 'files given to tools and execute_workflow must lie under this directory (default: the working directory)')
  .option('--session-idle-ms <ms>', 'close an HTTP session idle this long (default 1800000)', parsePositiveInteger)
  .option('--max-sessions <n>', 'HTTP sessions open at once; more are refused with MCP_SESSION_LIMIT (default 100)', parsePositiveInteger)
  .option('--allowed-origin <origin>', 'browser Origin accepted besides the server\'s own (repeatable)', (v: string, all: string[] = []) => [...all, v])
  .option('--store <url>', 'execution store of the runs (sqlite:<path>, postgres://...): status, pause and resume outlive the server', DEFAULT_STORE)
  .option('--no-store', 'keep runs in memory only (no pause_workflow or resume_workflow)')
  .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
  .action(async (opts: { http?: boolean; port: number; host: string; token?: string; workflows: string; workspace?: string; sessionIdleMs?: number; maxSessions?: number; allowedOrigin?: string[]; store: string | false; logLevel: string }) => {
    process.exitCode = await mcpCommand({ ...opts, logger: createCliLogger(opts.logLevel) });
  });

program
  .command('chat')
  .description('containerize a repository step by step in a guided conversation')
  .option('--session <id>', 'conversation session id')
  .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
  .action(async (opts: { session?: string; logLevel: string }) => {
    process.exitCode = await chatCommand({ ...opts, logger: createCliLogger(opts.logLevel) });
  });

const logLevelOption = (): Option =>
  new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn');
const storeOption = (): Option => new Option('--store <url>', 'execution store: sqlite:<path> or postgres://user@host/db[?schema=name]').default(DEFAULT_STORE);
const parseLeaseMs = (value: string): number => {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100) throw new InvalidArgumentError('a whole number of milliseconds, at least 100');
  return ms;
};

const runs = program.command('runs').description('list, show, pause, resume and cancel durable runs in an execution store');
runs
  .command('list')
  .description('list stored runs, newest first: id, workflow, status, owner, last update')
  .addOption(storeOption())
  .addOption(new Option('--status <status>', 'only runs with this status').choices(['running', 'paused', 'completed', 'failed', 'cancelled', 'timed_out']))
  .option('--limit <n>', 'at most n runs', (v: string) => Number.parseInt(v, 10), 100)
  .option('--json', 'print JSON')
  .action(async (opts: { store: string; status?: 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'timed_out'; limit: number; json?: boolean }) => {
    process.exitCode = await runsListCommand(opts);
  });
runs
  .command('show')
  .description('show a stored run: its record, pending deadlines and step journal')
  .argument('<id>', 'execution id')
  .addOption(storeOption())
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { store: string; json?: boolean }) => {
    process.exitCode = await runsShowCommand(id, opts);
  });
runs
  .command('resume')
  .description('take over the runs left running (lease lapsed), or the one given (paused or left running), with the default tools, and wait for them')
  .argument('[id]', 'execution id: resume this run only')
  .addOption(storeOption())
  .option('--wait', 'the run named is leased by another node: wait until its lease lapses (or the run ends), then take it')
  .addOption(new Option('--force', 'the run named is leased by another node: take it now (when that node is dead; a live one stops its copy at its next lease renewal)').conflicts('wait'))
  .addOption(logLevelOption())
  .action(async (id: string | undefined, opts: { store: string; logLevel: string; wait?: boolean; force?: boolean }, command: Command) => {
    if (id === undefined && (opts.wait || opts.force)) command.error('error: --wait and --force need the id of the run to take', { exitCode: ExitCode.invalid });
    process.exitCode = await runsResumeCommand({
      store: opts.store, logger: createCliLogger(opts.logLevel),
      ...(id === undefined ? {} : { executionId: id }),
      ...(opts.wait ? { wait: true } : {}),
      ...(opts.force ? { force: true } : {}),
    });
  });
runs
  .command('signal')
  .description('send a signal to a stored run parked on a wait step: takes it up here, delivers it, runs it until it ends or waits again')
  .argument('<id>', 'execution id')
  .argument('<name>', 'signal name (the wait step\'s `signal`)')
  .option('--payload <json>', 'the signal payload, JSON (the wait step\'s output)')
  .addOption(storeOption())
  .addOption(logLevelOption())
  .action(async (id: string, name: string, opts: { store: string; logLevel: string; payload?: string }) => {
    process.exitCode = await runsSignalCommand(id, name, { store: opts.store, logger: createCliLogger(opts.logLevel), ...(opts.payload === undefined ? {} : { payload: opts.payload }) });
  });
for (const [name, status, description] of [
  ['cancel', 'cancelled', 'cancel a stored run (its owner stops it at its next lease renewal; a run nobody holds is not resumed)'],
  ['pause', 'paused', 'pause a stored run (its owner suspends it at its next lease renewal; orchkit runs resume <id> takes it up again)'],
] as const) {
  runs
    .command(name)
    .description(description)
    .argument('<id>', 'execution id')
    .addOption(storeOption())
    .action(async (id: string, opts: { store: string }) => {
      process.exitCode = await runsRequestCommand(id, status, opts);
    });
}

program
  .command('worker')
  .description('claim and run durable runs from a store (new ones, and those of nodes that died) until SIGINT or SIGTERM; with --queue, run the tasks of a task queue instead')
  .addOption(storeOption())
  .option('--lease-ms <ms>', 'lease length; the store is polled every lease-ms / 2', parseLeaseMs, 30_000)
  .option('--node-id <id>', 'this worker\'s id as lease owner (random by default)')
  .option('--queue <name>', 'instead: serve this task queue (PostgreSQL store) with the tools of --tools')
  .option('--tools <names>', 'with --queue: comma-separated tool names of the tool pack (all by default)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--concurrency <n>', 'with --queue: tasks run at once (default 1)', parsePositiveInteger)
  .addOption(logLevelOption())
  .action(async (opts: { store: string; leaseMs: number; nodeId?: string; logLevel: string; queue?: string; tools?: string[]; concurrency?: number }) => {
    const logger = createCliLogger(opts.logLevel);
    if (opts.queue !== undefined) {
      process.exitCode = await queueWorkerCommand({ store: opts.store, queue: opts.queue, logger, ...(opts.tools ? { tools: opts.tools } : {}), ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), ...(opts.nodeId ? { workerId: opts.nodeId } : {}) });
      return;
    }
    process.exitCode = await workerCommand({ store: opts.store, leaseMs: opts.leaseMs, ...(opts.nodeId ? { nodeId: opts.nodeId } : {}), logger });
  });

const schedule = program.command('schedule').description('list, pause, resume and trigger the schedules runtimes registered in a PostgreSQL store');
const scheduleStore = (): Option => new Option('--store <url>', 'PostgreSQL store: postgres://user@host/db[?schema=name]').makeOptionMandatory();
schedule
  .command('list')
  .description('list schedules: cron, time zone, overlap and catch-up policies, paused or not, latest tick')
  .addOption(scheduleStore())
  .option('--json', 'print JSON')
  .action(async (opts: { store: string; json?: boolean }) => {
    process.exitCode = await scheduleListCommand(opts);
  });
for (const [name, paused] of [['pause', true], ['resume', false]] as const) {
  schedule
    .command(name)
    .description(paused ? 'pause a schedule on every node (its ticks are recorded paused, never caught up)' : 'resume a paused schedule from its next tick')
    .argument('<id>', 'schedule id')
    .addOption(scheduleStore())
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { store: string; json?: boolean }) => {
      process.exitCode = await schedulePauseCommand(id, paused, opts);
    });
}
schedule
  .command('trigger')
  .description('run a schedule now, outside its timetable: the first node running it starts the run at its next poll')
  .argument('<id>', 'schedule id')
  .addOption(scheduleStore())
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { store: string; json?: boolean }) => {
    process.exitCode = await scheduleTriggerCommand(id, opts);
  });

await program.parseAsync(process.argv);
