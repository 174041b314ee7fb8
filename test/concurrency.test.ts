import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, mapLimited } from '../src/concurrency.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit / mapLimited', () => {
  it('never runs more than the limit at once and keeps the input order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(3), { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          let running = 0;
          let peak = 0;
          const out = await mapLimited(delays, limit, async (delay, i) => {
            running++;
            peak = Math.max(peak, running);
            for (let t = 0; t <= delay; t++) await tick();
            running--;
            return i;
          });
          expect(out).toEqual(delays.map((_, i) => i));
          expect(peak).toBeLessThanOrEqual(limit);
          if (delays.length >= limit) expect(peak).toBe(limit);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('releases the slot of a task that throws', async () => {
    const gate = new ConcurrencyLimit(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.running).toBe(0);
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
    expect(() => new ConcurrencyLimit(1.5)).toThrow(RangeError);
  });
});
