import type { NodeNeeds } from '../longhorn/needs.js';
import {
  HUGEPAGES_SYSCTL,
  LEGACY_DATA_PATH,
  UBLK_KERNEL_MODULE,
  USER_VOLUME_DATA_PATH,
  USER_VOLUME_NAME,
  VFIO_PCI_DRIVER,
} from '../longhorn/requirements.js';
import { requireCapability, supports } from './capabilities.js';
import type {
  KernelModuleSpec,
  MachineConfigPatch,
  TalosDocument,
  UserVolumeConfigDocument,
} from './documents.js';
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

/** Fail before rendering anything when the version cannot express one of the needs. */
function checkNeeds(needs: NodeNeeds, version: TalosVersion): void {
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
  } else if (needs.dataPath && supports(version, 'userVolumeConfig')) {
    requireCapability(
      version,
      'userVolumeDirectory',
      'dataPath',
      'a data path without a dedicated disk',
      'give a disk selector for its partition (dataPathDisk, --data-path-disk)',
    );
  }
}

/** The data path's host directory on `version`, or undefined when the node has none. */
export function dataPathOnHost(needs: NodeNeeds, version: TalosVersion): string | undefined {
  if (!needs.dataPath) return undefined;
  return supports(version, 'userVolumeConfig') ? USER_VOLUME_DATA_PATH : LEGACY_DATA_PATH;
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

/** The v1alpha1 fields (Talos <= 1.13) for the needs that have no document of their own. */
function machinePatch(needs: NodeNeeds, version: TalosVersion): MachineConfigPatch | undefined {
  const machine: Machine = {};
  if (needs.modules.length > 0 && !supports(version, 'kernelModuleConfig')) {
    requireCapability(version, 'machineKernelModules', 'extraModules', 'loading kernel modules');
    machine.kernel = { modules: needs.modules.map((m) => moduleSpec(m.name, m.parameters)) };
  }
  if (needs.hugepages > 0 && !supports(version, 'sysctlConfig')) {
    requireCapability(version, 'machineSysctls', 'hugepages', 'reserving huge pages');
    machine.sysctls = { [HUGEPAGES_SYSCTL]: String(needs.hugepages) };
  }
  if (needs.dataPath && !supports(version, 'userVolumeConfig')) {
    requireCapability(version, 'kubeletExtraMounts', 'dataPath', 'the data path');
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
  if (hasMetadata && !supports(version, 'kubeNodeConfig')) {
    requireCapability(version, 'machineNodeLabels', 'disks', 'node labels and annotations');
    if (!isEmpty(needs.nodeLabels)) machine.nodeLabels = { ...needs.nodeLabels };
    if (!isEmpty(needs.nodeAnnotations)) machine.nodeAnnotations = { ...needs.nodeAnnotations };
  }
  return Object.keys(machine).length === 0 ? undefined : { machine };
}

/** The multi-document forms (Talos >= 1.14) of modules, sysctls and node metadata. */
function ownDocuments(needs: NodeNeeds, version: TalosVersion): TalosDocument[] {
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
  if (hasMetadata && supports(version, 'kubeNodeConfig')) {
    documents.push({
      ...header('KubeNodeConfig'),
      ...(isEmpty(needs.nodeLabels) ? {} : { labels: { ...needs.nodeLabels } }),
      ...(isEmpty(needs.nodeAnnotations) ? {} : { annotations: { ...needs.nodeAnnotations } }),
    });
  }
  if (needs.dataPath && supports(version, 'userVolumeConfig')) documents.push(userVolume(needs));
  return documents;
}

/**
 * Express a node's needs in the configuration form of one Talos version, in a fixed order.
 * A need the version cannot express is an `unsupported-need` error, never dropped.
 */
export function renderTalosDocuments(needs: NodeNeeds, version: TalosVersion): TalosDocument[] {
  checkNeeds(needs, version);
  const documents: TalosDocument[] = [];
  const patch = machinePatch(needs, version);
  if (patch !== undefined) documents.push(patch);
  documents.push(...ownDocuments(needs, version));
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
