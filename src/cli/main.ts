import { readFileSync } from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT, exitStatusFor, TalosLonghornError } from '../errors.js';
import { suggest } from './args.js';
import type { Command } from './command.js';
import { ALL_EXIT_STATUSES, type HelpParts, renderHelp } from './help.js';
import { type Io, processIo } from './io.js';

interface CommandEntry {
  readonly summary: string;
  /** Commands are loaded on demand so that `identity` never pays for YAML, Ajv or gRPC. */
  readonly load: () => Promise<{ command: Command }>;
}

const commands: Record<string, CommandEntry> = {
  identity: {
    summary: "derive a node's machine-id, iSCSI IQN and NVMe hostid/hostnqn",
    load: () => import('./identity.js'),
  },
  patch: {
    summary: 'print the Talos config patch that readies a node for Longhorn v2, per Talos version',
    load: () => import('./patch.js'),
  },
  generate: {
    summary: 'write patches, identities, schematic and Longhorn Helm values for a cluster plan',
    load: () => import('./generate.js'),
  },
  schematic: {
    summary: 'print the Image Factory schematic for Longhorn and its ID, computed offline',
    load: () => import('./schematic.js'),
  },
  terraform: {
    summary: 'run as a Terraform external data source (JSON query on stdin, JSON result)',
    load: () => import('./terraform.js'),
  },
  extension: {
    summary: 'build the longhorn-v2-node Talos system extension as an OCI image, without docker',
    load: () => import('./extension.js'),
  },
  preflight: {
    summary:
      'check nodes (Talos API or a directory) against what patch configures, before Longhorn',
    load: () => import('./preflight.js'),
  },
  apply: {
    summary: 'apply a config patch to nodes over the Talos API (dry run first), without talosctl',
    load: () => import('./apply.js'),
  },
  help: {
    summary: 'show help for a command (talos-longhorn help COMMAND)',
    load: async () => ({ command: helpCommand }),
  },
  version: {
    summary: 'print the version (also --version, -v)',
    load: async () => ({ command: versionCommand }),
  },
};

/** Every command, in the order of the top-level help (for the generated CLI reference). */
export const COMMAND_NAMES: readonly string[] = Object.keys(commands);

/** The complete --help text of a command. */
export async function commandHelp(name: string): Promise<string> {
  const { command } = await entryFor(name).load();
  return renderHelp(command);
}

const topLevel: HelpParts = {
  get help() {
    const width = Math.max(...Object.keys(commands).map((name) => name.length));
    const lines = Object.entries(commands).map(
      ([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`,
    );
    return `talos-longhorn — make Talos Linux nodes ready for Longhorn's v2 data engine

Usage: talos-longhorn <command> [options]
       talos-longhorn help [COMMAND]

Commands:
${lines.join('\n')}

Global options:
  -h, --help     show help (also after a command)
  -v, --version  print the version
  --debug        print stack traces on errors
`;
  },
  exitStatus: ALL_EXIT_STATUSES,
  examples: [
    {
      what: "Derive a node's identity strings",
      run: 'talos-longhorn identity --machine-id be871ac0d0dd31fa4caca753b0f3f1b2',
    },
    { what: 'Show the options of patch', run: 'talos-longhorn help patch' },
  ],
};

/** The top-level help text. */
export function topLevelHelp(): string {
  return renderHelp(topLevel);
}

const helpCommand: Command = {
  help: `Usage: talos-longhorn help [COMMAND]

Show the help of COMMAND (the same as talos-longhorn COMMAND --help), or without COMMAND the
list of commands.
`,
  exitStatus: { [EXIT_BAD_INPUT]: 'an unknown command' },
  examples: [{ what: 'Show the options of generate', run: 'talos-longhorn help generate' }],
  async run(args, io) {
    const [name, ...extra] = args;
    if (extra.length > 0) {
      throw new TalosLonghornError('usage', `unexpected argument ${extra[0]} (see --help)`);
    }
    io.stdout.write(name === undefined ? topLevelHelp() : await commandHelp(name));
    return 0;
  },
};

const versionCommand: Command = {
  help: `Usage: talos-longhorn version
       talos-longhorn --version | -v

Print the version of talos-longhorn.
`,
  exitStatus: {},
  examples: [{ what: 'Print the version', run: 'talos-longhorn version' }],
  async run(args, io) {
    if (args.length > 0) {
      throw new TalosLonghornError('usage', `unexpected argument ${args[0]} (see --help)`);
    }
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  },
};

function entryFor(name: string): CommandEntry {
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry !== undefined) return entry;
  const near = suggest(name, Object.keys(commands));
  throw new TalosLonghornError(
    'usage',
    `unknown command ${JSON.stringify(name)}${near.length === 0 ? ' (see --help)' : ` (did you mean ${near.join(' or ')}?)`}`,
  );
}

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Run the CLI with `argv` (without node and script) and return the exit status. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const endOfOptions = argv.indexOf('--');
  const flags = endOfOptions < 0 ? argv : argv.slice(0, endOfOptions);
  const debug = flags.includes('--debug');
  const rest = argv.filter(
    (arg, i) => arg !== '--debug' || (endOfOptions >= 0 && i > endOfOptions),
  );
  const wantsHelp = flags.includes('--help') || flags.includes('-h');
  try {
    const [first, ...args] = rest;
    if (first === undefined || first === '--help' || first === '-h') {
      io.stdout.write(topLevelHelp());
      return first === undefined ? EXIT_BAD_INPUT : 0;
    }
    const name = first === '--version' || first === '-v' ? 'version' : first;
    const { command } = await entryFor(name).load();
    if (wantsHelp) {
      io.stdout.write(renderHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    return reportError(err, io, debug);
  }
}

function reportError(err: unknown, io: Io, debug: boolean): number {
  const known = err instanceof TalosLonghornError;
  const message = known ? err.message : `internal error: ${describe(err)}`;
  io.stderr.write(`talos-longhorn: ${oneLine(message)}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return known ? exitStatusFor(err.code) : EXIT_ENVIRONMENT;
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\s+$/, '');
}
