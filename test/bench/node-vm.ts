// Benchmark: the node test bed's boot. Budget: the whole VM suite (one boot running every
// scenario) ≤ 3 minutes under TCG. Side by side: building the initramfs, a bare boot (kernel +
// init, no scenario) under TCG and, where it works, under KVM (median of runs), and one boot
// with every scenario under TCG.
// Run: npm run build && npx tsx test/bench/node-vm.ts   (BENCH_RUNS=N bare boots per accelerator)
import { rmSync } from 'node:fs';
import { bootTestBed, prepareTestBed, SCENARIOS } from '../node-vm/scenarios.js';
import { type Accel, detectAccel, findVmTools, workDir } from '../node-vm/vm.js';
import { formatMs, median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BUDGET_MS = 180_000;
const found = findVmTools();
if (!('tools' in found)) {
  console.log(`node VM: skipped, needs ${found.missing}`);
  process.exit(0);
}
const { tools } = found;
const work = workDir();
try {
  const start = process.hrtime.bigint();
  const bed = prepareTestBed(tools, work);
  console.log(`initramfs build: ${formatMs(Number(process.hrtime.bigint() - start) / 1e6)}`);
  const accels: Accel[] = ['tcg'];
  if (process.env.TALOS_LONGHORN_VM_ACCEL === undefined && (await detectAccel(tools)) === 'kvm') {
    accels.push('kvm');
  } else {
    console.log('kvm: not usable here (/dev/kvm missing, or the kernel does not start under it)');
  }
  for (const accel of accels) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const boot = await bootTestBed(tools, bed, accel, []);
      if (boot.timedOut) throw new Error(`bare ${accel} boot timed out`);
      times.push(boot.ms);
    }
    console.log(`bare boot, ${accel} (median of ${RUNS}): ${formatMs(median(times))}`);
  }
  const full = await bootTestBed(tools, bed, 'tcg');
  console.log(
    `whole suite, tcg (${SCENARIOS.length} scenarios, one boot): ${formatMs(full.ms)}; budget ${formatMs(BUDGET_MS)} → ${full.ms <= BUDGET_MS && !full.timedOut ? 'within' : 'OVER'}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
