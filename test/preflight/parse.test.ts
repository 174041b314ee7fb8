import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseCpuinfo,
  parseKernelRelease,
  parseMeminfo,
  parseOsRelease,
  parseProcModules,
  parseProcVersion,
} from '../../src/preflight/parse.js';

const PARSERS = [
  parseMeminfo,
  parseCpuinfo,
  parseProcModules,
  parseProcVersion,
  parseKernelRelease,
  parseOsRelease,
];

describe('node file parsers', () => {
  it('never throw, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        for (const parse of PARSERS) parse(text);
      }),
    );
  });

  it('read /proc/meminfo values back, the first occurrence of a repeated key winning', () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);
    const line = fc.record({ key, value: fc.nat({ max: 2 ** 40 }), unit: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        (lines, repeats) => {
          // Repeat some of the lines later with another value, so keys really occur twice.
          const repeated = repeats.map((i) => {
            const original = lines[i % lines.length];
            if (original === undefined) throw new Error('unreachable');
            return { ...original, value: original.value + 1 };
          });
          const all = [...lines, ...repeated];
          const text = all
            .map(({ key, value, unit }) => `${key}:${' '.repeat(4)}${value}${unit ? ' kB' : ''}`)
            .join('\n');
          const parsed = parseMeminfo(`${text}\nHugePages_Total: nonsense\n`);
          // Independent reading: the first line that names each key.
          const first = new Map<string, number>();
          for (const { key, value } of all) if (!first.has(key)) first.set(key, value);
          expect(new Map(parsed)).toEqual(first);
          expect(all.length).toBeGreaterThan(first.size);
        },
      ),
    );
  });

  it('reads the first processor flags of x86 and the Features of arm64', () => {
    expect(
      parseCpuinfo(
        'processor\t: 0\nflags\t\t: fpu sse4_2 sse4_2 avx\n\nprocessor\t: 1\nflags\t: other\n',
      ),
    ).toEqual({
      arch: 'amd64',
      flags: ['avx', 'fpu', 'sse4_2'],
    });
    expect(
      parseCpuinfo('processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes\n'),
    ).toEqual({
      arch: 'arm64',
      flags: ['aes', 'asimd', 'evtstrm', 'fp'],
    });
    expect(parseCpuinfo('')).toEqual({ arch: 'unknown', flags: [] });
  });

  it('reads /proc/modules names, normalising dashes and skipping odd lines', () => {
    const text =
      'vfio_pci 16384 0 - Live 0x0\nnvme-fabrics 32768 1 nvme_tcp, Live 0x0\n\n%%% 1 2\nshort\n';
    expect(parseProcModules(text)).toEqual(['nvme_fabrics', 'vfio_pci']);
  });

  it('reads kernel releases and Talos os-release', () => {
    expect(parseProcVersion('Linux version 6.12.18-talos (@buildkitsandbox) #1 SMP\n')).toBe(
      '6.12.18-talos',
    );
    expect(parseProcVersion('Linux version')).toBeUndefined();
    expect(parseKernelRelease('6.1.112-talos')).toEqual({ major: 6, minor: 1, patch: 112 });
    expect(parseKernelRelease('5.19')).toEqual({ major: 5, minor: 19, patch: 0 });
    expect(parseKernelRelease('talos')).toBeUndefined();
    const release = parseOsRelease(
      'NAME="Talos"\nID=talos\nVERSION_ID=v1.13.0\nPRETTY_NAME=\'Talos (v1.13.0)\'\n',
    );
    expect(Object.fromEntries(release)).toEqual({
      NAME: 'Talos',
      ID: 'talos',
      VERSION_ID: 'v1.13.0',
      PRETTY_NAME: 'Talos (v1.13.0)',
    });
  });
});
