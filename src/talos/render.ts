import type { NodeNeeds } from '../longhorn/needs.js';
import {
  HUGEPAGES_SYSCTL,
  LEGACY_DATA_PATH,
  UBLK_KERNEL_MODULE,
  USER_VOLUME_DATA_PATH,
  USER_VOLUME_NAME,
  VFIO_PCI_DRIVER,
} from '../longhorn/requirements.js';
import {
  isBuiltInModule,
  type NodeMetadataForm,
  nodeMetadataForm,
  requireCapability,
  supports,
} from './capabilities.js';
import type {
  KernelModuleSpec,
  MachineConfigPatch,
  TalosDocument,
  UserVolumeConfigDocument,
} from './documents.js';
import { rawPartitionDocuments } from './raw-volume.js';
import type { TalosVersion } from './versions.js';

type Machine = {
  -readonly [K in keyof MachineConfigPatch['machine']]: MachineConfigPatch['machine'][K];
};

const header = <K extends string>(kind: K) => ({ apiVersion: 'v1alpha1', kind }) as const;

function moduleSpec(name: string, parameters: readonly string[]): KernelModuleSpec {
  return parameters.length === 0 ? { name } : { name, parameters: [...parameters] };
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  return Object.keys(record).length === 0;
}

/** How to render: the form node metadata must take (see `configOriginOf`, `nodeMetadataForm`). */
export interface RenderOptions {
  /** Default: what a node created by the target version's `gen config` accepts. */
  readonly nodeMetadata?: NodeMetadataForm;
}

/** The metadata form actually used: `machine-fields` wherever `KubeNodeConfig` does not exist. */
function metadataForm(version: TalosVersion, options: RenderOptions): NodeMetadataForm {
  if (!supports(version, 'kubeNodeConfig')) return 'machine-fields';
  return options.nodeMetadata ?? nodeMetadataForm(version);
}

/** Parameters of built-in modules as kernel arguments (`nvme_tcp.param=value`), in order. */
function builtInKernelArgs(needs: NodeNeeds, version: TalosVersion): string[] {
  return needs.modules.flatMap((m) =>
    isBuiltInModule(version, m.name) ? m.parameters.map((p) => `${m.name}.${p}`) : [],
  );
}

/** A data path without a disk: a user-volume directory from 1.12, a kubelet bind mount before. */
function dataPathIsBindMount(needs: NodeNeeds, version: TalosVersion): boolean {
  if (!needs.dataPath || needs.dataPathDisk !== undefined) return false;
  return !supports(version, 'userVolumeDirectory');
}

/** Fail before rendering anything when the version cannot express one of the needs. */
function checkNeeds(needs: NodeNeeds, version: TalosVersion): void {
  const kernelArgs = builtInKernelArgs(needs, version);
  if (kernelArgs.length > 0) {
    requireCapability(
      version,
      'installExtraKernelArgs',
      'extraModules',
      `parameters of built-in kernel modules (${kernelArgs.join(' ')})`,
      'Talos ignores module parameters of built-in modules; put these kernel arguments into the schematic instead (plan extraKernelArgs, schematic --extra-kernel-arg) and drop the parameters',
    );
  }
  if (needs.modules.some((m) => m.name === UBLK_KERNEL_MODULE)) {
    requireCapability(version, 'ublkDriver', 'ublk', `loading ${UBLK_KERNEL_MODULE}`);
  }
  if (needs.vfioRebind.length > 0) {
    requireCapability(
      version,
      'pciDriverRebindConfig',
      'vfioRebind',
      `rebinding disks to ${VFIO_PCI_DRIVER}`,
    );
  }
  if (needs.dataPath && needs.dataPathDisk !== undefined) {
    requireCapability(
      version,
      'userVolumeConfig',
      'dataPathDisk',
      'a data path on its own partition',
      'without a disk selector Talos 1.9 bind-mounts /var/lib/longhorn',
    );
  } else if (dataPathIsBindMount(needs, version)) {
    requireCapability(version, 'kubeletExtraMounts', 'dataPath', 'the data path as a bind mount');
  }
  if (needs.rawPartition !== undefined) {
    requireCapability(version, 'rawVolumeConfig', 'rawPartition', 'a raw partition for a v2 disk');
  }
}

/** The data path's host directory on `version`, or undefined when the node has none. */
export function dataPathOnHost(needs: NodeNeeds, version: TalosVersion): string | undefined {
  if (!needs.dataPath) return undefined;
  return dataPathIsBindMount(needs, version) ? LEGACY_DATA_PATH : USER_VOLUME_DATA_PATH;
}

function userVolume(needs: NodeNeeds): UserVolumeConfigDocument {
  const base = { ...header('UserVolumeConfig'), name: USER_VOLUME_NAME };
  if (needs.dataPathDisk === undefined) return { ...base, volumeType: 'directory' };
  return {
    ...base,
    provisioning: {
      diskSelector: { match: needs.dataPathDisk.selector },
      minSize: needs.dataPathDisk.minSize,
      grow: true,
    },
  };
}

/**
 * The v1alpha1 fields for the needs that have no document of their own on `version` (and node
 * metadata on 1.14 when the stored config still uses the old fields).
 */
function machinePatch(
  needs: NodeNeeds,
  version: TalosVersion,
  form: NodeMetadataForm,
): MachineConfigPatch | undefined {
  const machine: Machine = {};
  if (needs.modules.length > 0 && !supports(version, 'kernelModuleConfig')) {
    requireCapability(version, 'machineKernelModules', 'extraModules', 'loading kernel modules');
    machine.kernel = { modules: needs.modules.map((m) => moduleSpec(m.name, m.parameters)) };
  }
  if (needs.hugepages > 0 && !supports(version, 'sysctlConfig')) {
    requireCapability(version, 'machineSysctls', 'hugepages', 'reserving huge pages');
    machine.sysctls = { [HUGEPAGES_SYSCTL]: String(needs.hugepages) };
  }
  const kernelArgs = builtInKernelArgs(needs, version);
  if (kernelArgs.length > 0) machine.install = { extraKernelArgs: kernelArgs };
  if (dataPathIsBindMount(needs, version)) {
    machine.kubelet = {
      extraMounts: [
        {
          destination: LEGACY_DATA_PATH,
          type: 'bind',
          source: LEGACY_DATA_PATH,
          options: ['bind', 'rshared', 'rw'],
        },
      ],
    };
  }
  const hasMetadata = !isEmpty(needs.nodeLabels) || !isEmpty(needs.nodeAnnotations);
  if (hasMetadata && form === 'machine-fields') {
    // Talos 1.14 still parses these fields; its JSON schema no longer lists them.
    if (!isEmpty(needs.nodeLabels)) machine.nodeLabels = { ...needs.nodeLabels };
    if (!isEmpty(needs.nodeAnnotations)) machine.nodeAnnotations = { ...needs.nodeAnnotations };
  }
  return Object.keys(machine).length === 0 ? undefined : { machine };
}

/** The multi-document forms (Talos >= 1.14) of modules, sysctls and node metadata. */
function ownDocuments(
  needs: NodeNeeds,
  version: TalosVersion,
  form: NodeMetadataForm,
): TalosDocument[] {
  const documents: TalosDocument[] = [];
  if (supports(version, 'kernelModuleConfig')) {
    for (const m of needs.modules) {
      documents.push({ ...header('KernelModuleConfig'), ...moduleSpec(m.name, m.parameters) });
    }
  }
  if (needs.hugepages > 0 && supports(version, 'sysctlConfig')) {
    documents.push({
      ...header('SysctlConfig'),
      params: { [HUGEPAGES_SYSCTL]: String(needs.hugepages) },
    });
  }
  const hasMetadata = !isEmpty(needs.nodeLabels) || !isEmpty(needs.nodeAnnotations);
  if (hasMetadata && form === 'kube-node-config') {
    documents.push({
      ...header('KubeNodeConfig'),
      ...(isEmpty(needs.nodeLabels) ? {} : { labels: { ...needs.nodeLabels } }),
      ...(isEmpty(needs.nodeAnnotations) ? {} : { annotations: { ...needs.nodeAnnotations } }),
    });
  }
  if (needs.dataPath && !dataPathIsBindMount(needs, version)) documents.push(userVolume(needs));
  if (needs.rawPartition !== undefined) {
    documents.push(...rawPartitionDocuments(needs.rawPartition, version, 'rawPartition'));
  }
  return documents;
}

/**
 * Express a node's needs in the configuration form of one Talos version, in a fixed order.
 * A need the version cannot express is an `unsupported-need` error, never dropped.
 */
export function renderTalosDocuments(
  needs: NodeNeeds,
  version: TalosVersion,
  options: RenderOptions = {},
): TalosDocument[] {
  checkNeeds(needs, version);
  const form = metadataForm(version, options);
  const documents: TalosDocument[] = [];
  const patch = machinePatch(needs, version, form);
  if (patch !== undefined) documents.push(patch);
  documents.push(...ownDocuments(needs, version, form));
  for (const address of needs.vfioRebind) {
    documents.push({
      ...header('PCIDriverRebindConfig'),
      name: address,
      targetDriver: VFIO_PCI_DRIVER,
    });
  }
  if (needs.extension !== undefined) {
    requireCapability(version, 'extensionServiceConfig', 'extension', 'the extension settings');
    documents.push({
      ...header('ExtensionServiceConfig'),
      name: needs.extension.name,
      environment: Object.entries(needs.extension.environment).map(([k, v]) => `${k}=${v}`),
    });
  }
  return documents;
}
