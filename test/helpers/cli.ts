import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly input?: string | Buffer;
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Run this program with `args` instead of the CLI (e.g. bash for a pipeline). */
  readonly program?: string;
  /** Kill the process (SIGKILL) if it is still running after this long: `status` is then null. */
  readonly killAfterMs?: number;
}

/** Run the built CLI as users do: a separate node process. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const command = options.program ?? process.execPath;
    const child = spawn(command, options.program ? [...args] : [cliPath, ...args], {
      cwd: options.cwd ?? projectRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // The CLI may stop reading a large stdin early; that is expected, not a failure.
    child.stdin.on('error', () => undefined);
    const killer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(killer);
      resolvePromise({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A failed run: the given status, exactly one line on stderr, nothing on stdout. */
export function expectOneLineFailure(result: CliResult, status: number): string {
  if (result.status !== status) {
    throw new Error(`expected exit ${status}, got ${result.status}; stderr: ${result.stderr}`);
  }
  if (result.stdout !== '')
    throw new Error(`expected no stdout, got ${JSON.stringify(result.stdout)}`);
  const lines = result.stderr.split('\n');
  if (lines.length !== 2 || lines[1] !== '' || !lines[0]?.startsWith('talos-longhorn: ')) {
    throw new Error(`expected one line on stderr, got ${JSON.stringify(result.stderr)}`);
  }
  if (/\n\s+at /.test(result.stderr)) throw new Error('stack trace on stderr');
  return lines[0];
}

/**
 * Run the CLI's `main` in this process, with the same streams contract as `runCli` (stdin from
 * `input`, stdout and stderr collected): for failures that need no process of their own, such
 * as usage errors, where spawning one per case would only cost time.
 */
export async function runMain(
  args: readonly string[],
  options: Omit<CliOptions, 'program'> = {},
): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  const out: string[] = [];
  const err: string[] = [];
  const text = (chunk: string | Uint8Array) =>
    typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  const status = await main(args, {
    stdout: { write: (chunk) => out.push(text(chunk)) },
    stderr: { write: (chunk) => err.push(text(chunk)) },
    stdin: Readable.from([Buffer.from(options.input ?? '')]),
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? projectRoot,
  });
  return { status, stdout: out.join(''), stderr: err.join('') };
}
