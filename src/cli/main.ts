import { Command, Option } from 'commander';
import { createCliLogger } from './createCliLogger.js';
import { ExitCode } from './exitCodes.js';
import { chatCommand } from './chatCommand.js';
import { graphCommand, type GraphFormat } from './graphCommand.js';
import { inspectCommand, type InspectMode } from './inspectCommand.js';
import { mcpCommand, parsePort } from './mcpCommand.js';
import { runCommand } from './runCommand.js';
import { parseMaxPaths, testCommand } from './testCommand.js';
import { validateCommand } from './validateCommand.js';

const program = new Command()
  .name('orchkit')
  .description('Run, check and inspect orchkit workflows')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : ExitCode.invalid));

program
  .command('run')
  .description('run a workflow file (YAML or JSON) with live step progress')
  .argument('<file>', 'workflow definition')
  .option('-i, --input <key=value>', 'workflow input (repeatable; JSON values allowed)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--input-file <file>', 'workflow input as a JSON object')
  .option('--json', 'print the result as JSON (no progress display)')
  .addOption(new Option('--inspect [mode]', 'watch the run on 127.0.0.1 (stately: Stately Inspector, needs the internet; local: offline page); keeps serving until Ctrl-C').choices(['stately', 'local']).preset('stately'))
  .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
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
  .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
  .action(async (opts: { http?: boolean; port: number; host: string; token?: string; workflows: string; logLevel: string }) => {
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

await program.parseAsync(process.argv);
