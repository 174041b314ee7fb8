import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT } from '../errors.js';
import { longhornSchematic, renderSchematicFile, schematicId } from '../talos/schematic.js';
import { parseTalosTarget } from '../talos/versions.js';
import { outPath, outputFormat, parseCommandArgs } from './args.js';
import type { Command } from './command.js';

const OUTPUTS = ['yaml', 'json', 'id'] as const;

const help = `Usage: talos-longhorn schematic [--extension NAME]... [--kernel-arg ARG]...
                                [--talos-version V] [-o yaml|json|id] [--out FILE]

Print the Image Factory schematic Longhorn needs on Talos (siderolabs/iscsi-tools and
siderolabs/util-linux-tools, plus your extensions and kernel arguments) and its schematic ID,
computed offline exactly as Image Factory computes it (sha256 of its canonical YAML).

Extensions are sorted and deduplicated, so the same set always gives the same ID (the order
Image Factory's web UI uses). Kernel arguments keep the order given.

Options:
  --extension NAME     another official extension, e.g. siderolabs/intel-ucode; repeatable
  --kernel-arg ARG     an extra kernel argument (printable ASCII, no blanks); repeatable
  --talos-version V    also name the installer image for this Talos version (yaml output)
  -o, --output FORMAT  yaml (default): the schematic with its ID in a leading comment, ready
                       for curl -X POST --data-binary @schematic.yaml https://factory.talos.dev/schematics
                       json: {"id": ..., "schematic": {...}}; id: the ID alone
  --out FILE           write to FILE (atomically) instead of stdout; "-" is stdout
`;

const options = {
  extension: { type: 'string', multiple: true },
  'kernel-arg': { type: 'string', multiple: true },
  'talos-version': { type: 'string' },
  output: { type: 'string', short: 'o' },
  out: { type: 'string' },
} as const;

export const command: Command = {
  help,
  exitStatus: { [EXIT_BAD_INPUT]: '', [EXIT_ENVIRONMENT]: 'could not write --out' },
  examples: [
    {
      what: 'The schematic with the Intel microcode extension, for POSTing to Image Factory',
      run: 'talos-longhorn schematic --extension siderolabs/intel-ucode --out schematic.yaml',
    },
    {
      what: 'Only its ID',
      run: 'talos-longhorn schematic --extension siderolabs/intel-ucode -o id',
    },
  ],
  async run(args, io) {
    const { values } = parseCommandArgs(args, options);
    const format = outputFormat(values.output, OUTPUTS, 'yaml', true);
    const out = outPath(values.out);
    const version =
      values['talos-version'] === undefined
        ? undefined
        : parseTalosTarget(values['talos-version'], '--talos-version');
    const schematic = longhornSchematic(
      { extensions: values.extension ?? [], extraKernelArgs: values['kernel-arg'] ?? [] },
      { extensions: '--extension', extraKernelArgs: '--kernel-arg' },
    );
    const id = schematicId(schematic);
    let text: string;
    switch (format) {
      case 'yaml':
        text = renderSchematicFile(schematic, version);
        break;
      case 'json':
        text = `${JSON.stringify({ id, schematic }, null, 2)}\n`;
        break;
      case 'id':
        text = `${id}\n`;
        break;
    }
    if (out === undefined) {
      io.stdout.write(text);
      return 0;
    }
    const { writeFileAtomic } = await import('./files.js');
    await writeFileAtomic(io.cwd, out, text, '--out');
    return 0;
  },
};
