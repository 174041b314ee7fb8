import { PCI_KERNEL_MODULE } from '../../longhorn/requirements.js';
import { type CheckDefinition, fail, listing, pass, skip, skipUnobserved, warn } from '../check.js';
import type { ModulesFact } from '../facts.js';
import { REMEDY } from '../remedies.js';

function describePresence(modules: ModulesFact, name: string): string {
  if (modules.loaded.includes(name)) return `${name} loaded`;
  if (modules.builtin.includes(name)) return `${name} built in`;
  return `${name} present`;
}

export const kernelModulesCheck: CheckDefinition = {
  id: 'kernel-modules',
  group: 'base',
  summary:
    'every planned module is loaded or built in (/proc/config.gz `=y`; else /sys/module/<name> counts as present)',
  reads: (needs) => (needs.modules.length > 0 ? ['modules'] : []),
  run(facts, needs) {
    const wanted = needs.modules.map((module) => module.name);
    if (wanted.length === 0) return skip('no kernel modules planned');
    if (!facts.modules.ok) return skipUnobserved(facts.modules);
    const modules = facts.modules.value;
    const missing = wanted.filter((name) => !modules.present.includes(name));
    const found = wanted
      .filter((name) => modules.present.includes(name))
      .map((name) => describePresence(modules, name));
    if (missing.length === 0) return pass(listing(found));
    const remedy = REMEDY.applyPatch(`the kernel modules ${listing(missing)}`);
    const foundText = found.length > 0 ? `; ${listing(found)}` : '';
    if (!modules.complete) {
      return warn(
        `${listing(missing)} not loaded, and built-in modules cannot be read here (${facts.modules.source})${foundText}`,
        remedy,
      );
    }
    return fail(`${listing(missing)} missing (neither loaded nor built in)${foundText}`, remedy);
  },
};

export const vfioIommuCheck: CheckDefinition = {
  id: 'vfio-iommu',
  group: 'v2',
  summary: `for PCI-addressed disks: ${PCI_KERNEL_MODULE} present, IOMMU groups exist, each disk alone in its group`,
  reads: (needs) =>
    needs.disks.some((disk) => disk.kind === 'pci') ? ['iommuGroups', 'modules'] : [],
  run(facts, needs) {
    const disks = needs.disks.flatMap((disk) => (disk.kind === 'pci' ? [disk.address] : []));
    if (disks.length === 0) return skip('no PCI-addressed disk planned');
    if (!facts.iommuGroups.ok) return skipUnobserved(facts.iommuGroups);
    const problems: string[] = [];
    let remedy: string | undefined;
    if (
      facts.modules.ok &&
      facts.modules.value.complete &&
      !facts.modules.value.present.includes(PCI_KERNEL_MODULE)
    ) {
      problems.push(`${PCI_KERNEL_MODULE} is missing`);
      remedy = REMEDY.applyPatch(`the kernel module ${PCI_KERNEL_MODULE}`);
    }
    const groups = facts.iommuGroups.value;
    if (groups.length === 0) {
      return fail(
        `no IOMMU groups (${facts.iommuGroups.source} is empty or absent), so VFIO cannot take ${listing(disks)}`,
        REMEDY.iommu,
      );
    }
    for (const disk of disks) {
      const group = groups.find((candidate) => candidate.devices.includes(disk));
      if (group === undefined) {
        problems.push(`${disk} is in no IOMMU group (no such PCI device?)`);
        remedy ??= REMEDY.iommu;
        continue;
      }
      const others = group.devices.filter((device) => device !== disk);
      if (others.length > 0) {
        problems.push(`${disk} shares IOMMU group ${group.id} with ${listing(others)}`);
        remedy ??= REMEDY.sharedGroup(disk);
      }
    }
    if (problems.length > 0 && remedy !== undefined) return fail(problems.join('; '), remedy);
    const placed = disks.map(
      (disk) => `${disk} alone in group ${groups.find((g) => g.devices.includes(disk))?.id}`,
    );
    return pass(listing(placed));
  },
};
