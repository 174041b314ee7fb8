import { HUGEPAGE_SIZE_MIB, SPDK_NVME_DRIVER_HUGEPAGES } from '../../longhorn/requirements.js';
import { type CheckDefinition, fail, pass, skip, skipUnobserved, warn } from '../check.js';
import { REMEDY } from '../remedies.js';

const PAGE_KIB = HUGEPAGE_SIZE_MIB * 1024;

export const hugepagesCheck: CheckDefinition = {
  id: 'hugepages',
  group: 'v2',
  summary: 'total and free 2 MiB huge pages at least the planned count',
  reads: (needs) => (needs.hugepages === 0 ? [] : ['hugepages']),
  run(facts, needs) {
    if (needs.hugepages === 0) return skip('no huge pages planned');
    if (!facts.hugepages.ok) return skipUnobserved(facts.hugepages);
    const { total, free, pageSizeKiB } = facts.hugepages.value;
    const wanted = needs.hugepages;
    if (pageSizeKiB !== undefined && pageSizeKiB !== PAGE_KIB) {
      return fail(
        `the default huge page size is ${pageSizeKiB} kB, not ${PAGE_KIB} kB, so HugePages_Total does not count 2 MiB pages`,
        'remove default_hugepagesz= from the kernel arguments so 2 MiB is the default size',
      );
    }
    if (total < wanted) {
      const pci = needs.disks.some((disk) => disk.kind === 'pci')
        ? ` + ${SPDK_NVME_DRIVER_HUGEPAGES} pages for SPDK's NVMe driver`
        : '';
      return fail(
        `${total} huge pages reserved, ${wanted} planned (${needs.memorySizeMiB} MiB${pci})`,
        REMEDY.hugepages(wanted),
      );
    }
    if (free === undefined) {
      return pass(
        `${total} huge pages reserved (${wanted} planned); free pages unknown: ${facts.hugepages.source} only`,
      );
    }
    if (free < wanted) {
      return warn(
        `${total} huge pages reserved but only ${free} free, ${wanted} planned (Longhorn's instance manager holds them once it runs)`,
        REMEDY.freeHugepages,
      );
    }
    return pass(`${total} huge pages reserved, ${free} free (${wanted} planned)`);
  },
};
