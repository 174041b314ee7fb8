import { yamlText } from '../yaml-text.js';
import type { CheckStatus } from './check.js';
import type { NodeReport, PreflightReport } from './run.js';

/** Every `ReportFormat`: `table` (for people), `json`, `yaml`. */
export const REPORT_FORMATS = ['table', 'json', 'yaml'] as const;
/** How `formatReport` renders a report. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const COLOURS: Readonly<Record<CheckStatus, string>> = {
  pass: '\u001b[32m',
  warn: '\u001b[33m',
  fail: '\u001b[31m',
  skip: '\u001b[2m',
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty. */
export function useColour(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Control characters from a node's files never reach the terminal. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) =>
    ch === '\n' ? '\\n' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function summary(node: NodeReport): string {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of node.checks) counts[check.status]++;
  return `${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail, ${counts.skip} skip`;
}

function nodeTable(node: NodeReport, colour: boolean): string {
  const paint = (status: CheckStatus, text: string) =>
    colour ? `${COLOURS[status]}${text}${RESET}` : text;
  const title = colour
    ? `${BOLD}node ${printable(node.node)}${RESET}`
    : `node ${printable(node.node)}`;
  if (node.error !== undefined) {
    return `${title}\n  ${paint('fail', 'error')}   ${printable(node.error)}\n`;
  }
  const idWidth = Math.max(5, ...node.checks.map((check) => check.id.length));
  const lines = [title, `  ${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(idWidth)}  GROUP  MESSAGE`];
  for (const check of node.checks) {
    lines.push(
      `  ${paint(check.status, check.status.padEnd(6))}  ${check.id.padEnd(idWidth)}  ${check.group.padEnd(5)}  ${printable(check.message)}`,
    );
    if (check.remedy !== undefined) {
      lines.push(`  ${' '.repeat(6 + 2 + idWidth + 2 + 5 + 2)}remedy: ${printable(check.remedy)}`);
    }
  }
  lines.push(`  ${summary(node)}`);
  return `${lines.join('\n')}\n`;
}

/** Render a report. Same report, same bytes: no timestamps, fixed key and node order. */
export async function formatReport(
  report: PreflightReport,
  format: ReportFormat,
  colour = false,
): Promise<string> {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'yaml':
      return yamlText(report);
    case 'table':
      return report.nodes.map((node) => nodeTable(node, colour)).join('\n');
  }
}
