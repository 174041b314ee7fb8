import { readFileSync } from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT, exitStatusFor, TalosLonghornError } from '../errors.js';
import type { Command } from './command.js';
import { type Io, processIo } from './io.js';

export type { Command } from './command.js';

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
};

function topLevelHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`,
  );
  return `talos-longhorn — make Talos Linux nodes ready for Longhorn's v2 data engine

Usage: talos-longhorn <command> [options]

Commands:
${lines.join('\n')}

Global options:
  -h, --help     show help (also after a command)
  --version      print the version
  --debug        print stack traces on errors

Exit status: 0 ok, 1 checks failed, 2 bad input or usage, 3 environment or connection failure.
`;
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
    const [name, ...args] = rest;
    if (name === undefined || name === '--help' || name === '-h') {
      io.stdout.write(topLevelHelp());
      return name === undefined ? EXIT_BAD_INPUT : 0;
    }
    if (name === '--version') {
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (entry === undefined) {
      throw new TalosLonghornError('usage', `unknown command ${JSON.stringify(name)} (see --help)`);
    }
    const { command } = await entry.load();
    if (wantsHelp) {
      io.stdout.write(command.help);
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
