import { longhornSchematic, renderSchematicFile, schematicId } from '../talos/schematic.js';
import { parseTalosTarget } from '../talos/versions.js';
import { oneOf, parseCommandArgs } from './args.js';
import type { Command } from './main.js';

const OUTPUTS = ['yaml', 'json', 'id'] as const;

const help = `Usage: talos-longhorn schematic [--extension NAME]... [--kernel-arg ARG]...
                                [--talos-version V] [--output yaml|json|id]

Print the Image Factory schematic Longhorn needs on Talos (siderolabs/iscsi-tools and
siderolabs/util-linux-tools, plus your extensions and kernel arguments) and its schematic ID,
computed offline exactly as Image Factory computes it (sha256 of its canonical YAML).

Extensions are sorted and deduplicated, so the same set always gives the same ID (the order
Image Factory's web UI uses). Kernel arguments keep the order given.

Options:
  --extension NAME     another official extension, e.g. siderolabs/intel-ucode; repeatable
  --kernel-arg ARG     an extra kernel argument (printable ASCII, no blanks); repeatable
  --talos-version V    also name the installer image for this Talos version (yaml output)
  --output FORMAT      yaml (default): the schematic with its ID in a leading comment, ready
                       for curl -X POST --data-binary @schematic.yaml https://factory.talos.dev/schematics
                       json: {"id": ..., "schematic": {...}}; id: the ID alone

Exit status: 0 ok, 2 bad input or usage.
`;

const options = {
  extension: { type: 'string', multiple: true },
  'kernel-arg': { type: 'string', multiple: true },
  'talos-version': { type: 'string' },
  output: { type: 'string' },
} as const;

export const command: Command = {
  help,
  async run(args, io) {
    const { values } = parseCommandArgs(args, options);
    const format = oneOf('--output', values.output, OUTPUTS, 'yaml');
    const version =
      values['talos-version'] === undefined
        ? undefined
        : parseTalosTarget(values['talos-version'], '--talos-version');
    const schematic = longhornSchematic(
      { extensions: values.extension ?? [], extraKernelArgs: values['kernel-arg'] ?? [] },
      { extensions: '--extension', extraKernelArgs: '--kernel-arg' },
    );
    const id = schematicId(schematic);
    switch (format) {
      case 'yaml':
        io.stdout.write(renderSchematicFile(schematic, version));
        break;
      case 'json':
        io.stdout.write(`${JSON.stringify({ id, schematic }, null, 2)}\n`);
        break;
      case 'id':
        io.stdout.write(`${id}\n`);
        break;
    }
    return 0;
  },
};
