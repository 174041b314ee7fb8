// Benchmark: build time and size of the longhorn-v2-node extension image, against the budget
// "image ≤ busybox + 100 KiB". Builds in-process (median of runs) and through the CLI.
// Run: npm run build && npx tsx test/bench/extension.ts   (BUSYBOX=/path overrides /usr/bin/busybox)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildExtensionImage, writeImageLayout } from '../../src/extension-image/index.js';
import { formatMs, median, timeCommand } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const busyboxPath = process.env.BUSYBOX ?? '/usr/bin/busybox';
const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
const cli = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tl-bench-ext-'));

try {
  const times: number[] = [];
  const digests = new Set<string>();
  let image: Awaited<ReturnType<typeof buildExtensionImage>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    image = await buildExtensionImage({ version: '0.0.0-bench', arch, tag: 'bench', busyboxPath });
    await writeImageLayout(join(dir, 'lib'), image);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    digests.add(image.manifestDigest);
  }
  if (image === undefined) throw new Error('BENCH_RUNS must be at least 1');
  const budget = image.busyboxSize + 100 * 1024;
  console.log(
    `image: ${image.totalSize} bytes (layer ${image.layerSize}, busybox ${image.busyboxSize}); ` +
      `budget busybox + 100 KiB = ${budget} → ${image.totalSize <= budget ? 'within' : 'OVER'} by ${Math.abs(budget - image.totalSize)} bytes`,
  );
  console.log(`reproducible: ${digests.size === 1 ? 'yes' : 'NO'} (${[...digests].join(', ')})`);
  console.log(`build + write in-process (median of ${RUNS}): ${formatMs(median(times))}`);
  const cliTimes: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 5); i++) {
    cliTimes.push(
      timeCommand(process.execPath, [
        cli,
        'extension',
        'build',
        '--out',
        join(dir, 'cli'),
        '--busybox',
        busyboxPath,
      ]),
    );
  }
  console.log(
    `talos-longhorn extension build (median of ${cliTimes.length}): ${formatMs(median(cliTimes))}`,
  );
  const gzipped = gzipSync(image.blobs[0]?.bytes ?? new Uint8Array()).length;
  console.log(
    `for comparison: the layer gzipped (-6) would be ${gzipped} bytes (not used: not reproducible across zlib builds)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
