import {
  EXIT_BAD_INPUT,
  EXIT_CHECKS_FAILED,
  EXIT_ENVIRONMENT,
  TalosLonghornError,
} from '../errors.js';
import { deriveIdentity, type Identity, identityFiles } from '../identity/derive.js';
import { machineIdFromNodeId, parseMachineId } from '../identity/machine-id.js';
import { yamlText } from '../yaml-text.js';
import { oneOf, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { formatEnv } from './env-output.js';
import type { Io } from './io.js';
import { TALOS_TARGET_HELP, talosTargetOptions, wantsTalosApi } from './talos-target.js';

/** `/etc/machine-id` is 33 bytes at most; anything past 4 KiB is certainly not one. */
const MAX_MACHINE_ID_FILE_BYTES = 4096;
const OUTPUTS = ['json', 'yaml', 'env'] as const;

const help = `Usage: talos-longhorn identity (--machine-id HEX | --node-id BASE62 | --machine-id-file PATH)
                               [-o json|yaml|env] [--write-root DIR]
       talos-longhorn identity [--talosconfig PATH] [--context NAME] [--nodes A,B] [--endpoints A,B]
                               [--check-files auto|always|never] [-o json|yaml|env]

Derive a Talos node's identity strings exactly as Talos >= 1.10 writes them on the node:
/etc/machine-id, the iSCSI initiator name (/etc/iscsi/initiatorname.iscsi) and the NVMe host ID
and host NQN (/etc/nvme/hostid, /etc/nvme/hostnqn).

Input (exactly one):
  --machine-id HEX          the node's machine-id (32 hex characters)
  --node-id BASE62          the node identity (talosctl get identities -o yaml: spec.nodeId)
  --machine-id-file PATH    a file holding the machine-id; "-" reads stdin (at most 4 KiB)

Output:
  -o, --output FORMAT       json (default), yaml, or env: TALOS_MACHINE_ID=, ISCSI_INITIATOR_NAME=,
                            NVME_HOSTID=, NVME_HOSTNQN=, values single-quoted for POSIX sh
  --write-root DIR          also write etc/machine-id, etc/iscsi/initiatorname.iscsi,
                            etc/nvme/hostid and etc/nvme/hostnqn under DIR, byte-identical to
                            Talos and with Talos's modes (0444, 0600, 0600, 0600), atomically

From live nodes (when any Talos API flag is given): read each node's identity from the COSI
resource Identities (namespace cluster, id local; role os:reader suffices), derive the strings,
and with role os:admin compare them with the node's /etc/machine-id,
/etc/iscsi/initiatorname.iscsi, /etc/nvme/hostid and /etc/nvme/hostnqn.
  --check-files MODE        auto (default: when the role allows Read), always, never
  Output: {"nodes": [{node, machineId, iqn, initiatorName, hostId, hostNqn, files}]} where files
  is {checked: true, mismatches: [{path, expected, actual}]} or {checked: false, reason}; env
  output adds TALOS_NODE= and, for several nodes, suffixes every key with _<NODE> (upper case,
  other characters than A-Z and 0-9 as _; two nodes with the same suffix are refused).
  Mismatches are also printed on stderr, one line each, and make the exit status 1.

${TALOS_TARGET_HELP}`;

const options = {
  'machine-id': { type: 'string' },
  'node-id': { type: 'string' },
  'machine-id-file': { type: 'string' },
  output: { type: 'string', short: 'o' },
  'write-root': { type: 'string' },
  ...talosTargetOptions,
  'check-files': { type: 'string' },
} as const;

async function readIdentity(
  values: { 'machine-id'?: string; 'node-id'?: string; 'machine-id-file'?: string },
  io: Io,
): Promise<Identity> {
  const given = (['machine-id', 'node-id', 'machine-id-file'] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new TalosLonghornError(
      'usage',
      given.length === 0
        ? 'give one of --machine-id, --node-id or --machine-id-file'
        : `give only one of ${given.map((name) => `--${name}`).join(', ')}`,
    );
  }
  if (values['machine-id'] !== undefined) {
    return deriveIdentity({ machineId: parseMachineId(values['machine-id'], '--machine-id') });
  }
  if (values['node-id'] !== undefined) {
    return deriveIdentity({ machineId: machineIdFromNodeId(values['node-id'], '--node-id') });
  }
  const path = values['machine-id-file'] ?? '-';
  const { readInputFile } = await import('./files.js');
  const bytes = await readInputFile(path, io, MAX_MACHINE_ID_FILE_BYTES, '--machine-id-file');
  return deriveIdentity({ machineId: parseMachineId(bytes.toString('utf8'), '--machine-id-file') });
}

export function formatIdentityEnv(identity: Identity): string {
  return formatEnv(
    [
      ['TALOS_MACHINE_ID', identity.machineId],
      ['ISCSI_INITIATOR_NAME', identity.iqn],
      ['NVME_HOSTID', identity.hostId],
      ['NVME_HOSTNQN', identity.hostNqn],
    ],
    '--output',
  );
}

async function formatIdentity(identity: Identity, format: (typeof OUTPUTS)[number]) {
  switch (format) {
    case 'json':
      return `${JSON.stringify(identity, null, 2)}\n`;
    case 'env':
      return formatIdentityEnv(identity);
    case 'yaml':
      return yamlText(identity);
  }
}

export const command: Command = {
  help,
  exitStatus: {
    [EXIT_CHECKS_FAILED]: 'identity files differ on a node',
    [EXIT_BAD_INPUT]: '',
    [EXIT_ENVIRONMENT]:
      'could not write, or could not reach a node (connection, TLS, permission, deadline)',
  },
  examples: [
    {
      what: 'Shell variables for a node whose machine-id is known',
      run: 'talos-longhorn identity --machine-id be871ac0d0dd31fa4caca753b0f3f1b2 -o env',
    },
    {
      what: 'Read two live nodes and compare their identity files',
      run: 'talos-longhorn identity --nodes 10.5.0.2,10.5.0.3 -o yaml',
    },
  ],
  async run(args, io) {
    const { values } = parseCommandArgs(args, options);
    const format = oneOf('--output', values.output, OUTPUTS, 'json');
    if (wantsTalosApi(values) || values['check-files'] !== undefined) {
      const local = (['machine-id', 'node-id', 'machine-id-file', 'write-root'] as const).find(
        (name) => values[name] !== undefined,
      );
      if (local !== undefined) {
        throw new TalosLonghornError(
          'usage',
          'cannot be combined with the Talos API flags (--talosconfig, --nodes, …)',
          { field: `--${local}` },
        );
      }
      const { runRemoteIdentity } = await import('./identity-remote.js');
      return runRemoteIdentity(values, format, io);
    }
    const identity = await readIdentity(values, io);
    const text = await formatIdentity(identity, format);
    if (values['write-root'] !== undefined) {
      const root = values['write-root'];
      if (root === '')
        throw new TalosLonghornError('usage', 'empty path', { field: '--write-root' });
      const [{ resolve }, { writeFiles }] = await Promise.all([
        import('node:path'),
        import('../output/index.js'),
      ]);
      await writeFiles(resolve(io.cwd, root), identityFiles(identity), {
        field: '--write-root',
        label: root,
      });
    }
    io.stdout.write(text);
    return 0;
  },
};
