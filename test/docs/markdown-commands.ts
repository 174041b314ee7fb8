/**
 * The runnable examples of a Markdown page: every fenced `sh` block is a script to run, and the
 * `console` block right after it (if any) is what it must print. A block that cannot run here
 * (it needs a cluster, a registry or Terraform) is preceded by `<!-- not run: REASON -->`, so a
 * command is never silently left untested.
 */
export interface ShellExample {
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
  readonly script: string;
  /** The expected output, or undefined when the page shows none. */
  readonly expected?: string;
}

export interface SkippedExample {
  readonly line: number;
  readonly reason: string;
}

export interface PageExamples {
  readonly run: readonly ShellExample[];
  readonly skipped: readonly SkippedExample[];
}

interface Fence {
  readonly line: number;
  readonly info: string;
  readonly body: string;
  /** The last non-blank line before the fence. */
  readonly before: string;
}

function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const found: Fence[] = [];
  let before = '';
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (open === null) {
      if ((lines[i] ?? '').trim() !== '') before = (lines[i] ?? '').trim();
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    if (i >= lines.length) throw new Error(`line ${start + 1}: unterminated code fence`);
    found.push({ line: start + 1, info: open[1] ?? '', body: body.join('\n'), before });
    before = '';
  }
  return found;
}

/** Split a page into the examples to run and the ones marked as not runnable. */
export function pageExamples(markdown: string): PageExamples {
  const all = fences(markdown);
  const run: ShellExample[] = [];
  const skipped: SkippedExample[] = [];
  all.forEach((fence, index) => {
    if (fence.info !== 'sh') return;
    const marker = /^<!-- not run: (.+) -->$/.exec(fence.before);
    if (marker !== null) {
      skipped.push({ line: fence.line, reason: marker[1] ?? '' });
      return;
    }
    const next = all[index + 1];
    const shows = next !== undefined && next.info === 'console' && next.before === '';
    run.push({
      line: fence.line,
      script: fence.body,
      ...(shows ? { expected: next.body } : {}),
    });
  });
  return { run, skipped };
}
