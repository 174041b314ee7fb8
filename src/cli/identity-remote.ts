// `identity --talosconfig/--nodes`: read identities from live nodes over the Talos API.
import type { FileCheckMode, NodeIdentity } from '../api/node-identity.js';
import { EXIT_CHECKS_FAILED } from '../errors.js';
import type { Io } from './io.js';
import { connectTalos, resolveTalosTarget, type TalosTargetFlags } from './talos-target.js';

/** `10.5.0.2` → `10_5_0_2`, so several nodes fit in one env file. */
function envSuffix(node: string): string {
  return node.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export function formatRemoteEnv(identities: readonly NodeIdentity[]): string {
  const single = identities.length === 1;
  return identities
    .map((id) => {
      const suffix = single ? '' : `_${envSuffix(id.node)}`;
      const lines = [
        `TALOS_NODE${suffix}=${id.node}`,
        `TALOS_MACHINE_ID${suffix}=${id.machineId}`,
        `ISCSI_INITIATOR_NAME${suffix}=${id.iqn}`,
        `NVME_HOSTID${suffix}=${id.hostId}`,
        `NVME_HOSTNQN${suffix}=${id.hostNqn}`,
      ];
      if (id.files.checked) {
        lines.push(`TALOS_IDENTITY_MISMATCHES${suffix}=${id.files.mismatches.length}`);
      }
      return `${lines.join('\n')}\n`;
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
    else if (format === 'yaml') text = (await import('yaml')).stringify({ nodes: identities });
    else text = `${JSON.stringify({ nodes: identities }, null, 2)}\n`;
    io.stdout.write(text);
    const mismatches = mismatchLines(identities);
    for (const line of mismatches) io.stderr.write(`${line}\n`);
    return mismatches.length > 0 ? EXIT_CHECKS_FAILED : 0;
  } finally {
    client.close();
  }
}
