// `identity --talosconfig/--nodes`: read identities from live nodes over the Talos API.
import type { FileCheckMode, NodeIdentity } from '../api/node-identity.js';
import { EXIT_CHECKS_FAILED } from '../errors.js';
import { yamlText } from '../yaml-text.js';
import { envSuffixes, formatEnv } from './env-output.js';
import type { Io } from './io.js';
import { connectTalos, resolveTalosTarget, type TalosTargetFlags } from './talos-target.js';

function formatRemoteEnv(identities: readonly NodeIdentity[]): string {
  const suffixes = envSuffixes(
    identities.map((id) => id.node),
    '--nodes',
  );
  const single = identities.length === 1;
  return identities
    .map((id) => {
      const suffix = single ? '' : (suffixes.get(id.node) ?? '');
      const entries: [string, string][] = [
        [`TALOS_NODE${suffix}`, id.node],
        [`TALOS_MACHINE_ID${suffix}`, id.machineId],
        [`ISCSI_INITIATOR_NAME${suffix}`, id.iqn],
        [`NVME_HOSTID${suffix}`, id.hostId],
        [`NVME_HOSTNQN${suffix}`, id.hostNqn],
      ];
      if (id.files.checked) {
        entries.push([`TALOS_IDENTITY_MISMATCHES${suffix}`, String(id.files.mismatches.length)]);
      }
      return formatEnv(entries, '--nodes');
    })
    .join('');
}

/** Mismatches as one stderr line per file, so scripts see them without parsing the output. */
function mismatchLines(identities: readonly NodeIdentity[]): string[] {
  return identities.flatMap((id) =>
    id.files.checked
      ? id.files.mismatches.map(
          (m) =>
            `talos-longhorn: node ${id.node}: ${m.path} ${m.actual === null ? 'is missing' : 'differs'}: expected ${JSON.stringify(m.expected)}${m.actual === null ? '' : `, found ${JSON.stringify(m.actual)}`}`,
        )
      : [],
  );
}

export async function runRemoteIdentity(
  flags: TalosTargetFlags & { 'check-files'?: string | undefined },
  format: 'json' | 'yaml' | 'env',
  io: Io,
): Promise<number> {
  const { oneOf } = await import('./args.js');
  const checkFiles: FileCheckMode = oneOf(
    '--check-files',
    flags['check-files'],
    ['auto', 'always', 'never'] as const,
    'auto',
  );
  const target = await resolveTalosTarget(flags, io);
  // Refuse nodes whose env keys would collide before asking any of them.
  if (format === 'env') envSuffixes(target.nodes, '--nodes');
  const client = await connectTalos(target);
  try {
    const [{ readNodeIdentity }, { mapLimited }] = await Promise.all([
      import('../api/node-identity.js'),
      import('../concurrency.js'),
    ]);
    // The client limits calls in flight; nodes are only bounded to keep memory flat.
    const identities = await mapLimited(target.nodes, 256, (node) =>
      readNodeIdentity(client, node, checkFiles),
    );
    let text: string;
    if (format === 'env') text = formatRemoteEnv(identities);
    else if (format === 'yaml') text = yamlText({ nodes: identities });
    else text = `${JSON.stringify({ nodes: identities }, null, 2)}\n`;
    io.stdout.write(text);
    const mismatches = mismatchLines(identities);
    for (const line of mismatches) io.stderr.write(`${line}\n`);
    return mismatches.length > 0 ? EXIT_CHECKS_FAILED : 0;
  } finally {
    client.close();
  }
}
