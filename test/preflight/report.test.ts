import { describe, expect, it } from 'vitest';
import { formatReport, useColour } from '../../src/preflight/report.js';
import type { PreflightReport } from '../../src/preflight/run.js';

const report: PreflightReport = {
  nodes: [
    {
      node: 'n1',
      checks: [
        { id: 'talos-version', group: 'base', status: 'pass', message: 'Talos v1.13.0' },
        {
          id: 'dev-fd',
          group: 'v2',
          status: 'fail',
          message: 'bad\u001b[2Jnews\nline',
          remedy: 'fix it',
        },
      ],
    },
    { node: 'n2', error: 'node n2: cannot connect', checks: [] },
  ],
};

describe('preflight report', () => {
  it('colours only a terminal without NO_COLOR', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({}, {})).toBe(false);
  });

  it('prints a table per node; control characters from node files are escaped', async () => {
    const text = await formatReport(report, 'table');
    expect(text).toBe(
      [
        'node n1',
        '  STATUS  CHECK          GROUP  MESSAGE',
        '  pass    talos-version  base   Talos v1.13.0',
        '  fail    dev-fd         v2     bad\\u001b[2Jnews\\nline',
        '                                remedy: fix it',
        '  1 pass, 0 warn, 1 fail, 0 skip',
        '',
        'node n2',
        '  error   node n2: cannot connect',
        '',
      ].join('\n'),
    );
    const coloured = await formatReport(report, 'table', true);
    expect(coloured).toContain('\u001b[31mfail  \u001b[0m');
    expect(coloured).toContain('\u001b[32mpass  \u001b[0m');
  });

  it('JSON keeps the key order id, group, status, message, remedy', async () => {
    const text = await formatReport(report, 'json');
    expect(text.indexOf('"id"')).toBeLessThan(text.indexOf('"group"'));
    expect(JSON.parse(text)).toEqual(report);
  });
});
