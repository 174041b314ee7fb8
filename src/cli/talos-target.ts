// The flags every command that talks to Talos nodes shares, and turning them into a client.
// Only type imports at the top: the API client (protobuf, HTTP/2, TLS) loads when it is used.
import type { TalosClient } from '../api/client.js';
import type { TalosContext } from '../api/talosconfig.js';
import { TalosLonghornError } from '../errors.js';
import type { Io } from './io.js';
import { withFlags } from './relabel.js';

export const talosTargetOptions = {
  talosconfig: { type: 'string' },
  context: { type: 'string' },
  // As talosctl: -n/-e, comma lists, repeatable (`-n a,b -n c`).
  nodes: { type: 'string', short: 'n', multiple: true },
  endpoints: { type: 'string', short: 'e', multiple: true },
  timeout: { type: 'string' },
} as const;

export const TALOS_TARGET_HELP = `Talos API (mutual TLS with the talosconfig's credentials):
  --talosconfig PATH        talosconfig file (default, as talosctl: $TALOSCONFIG, then
                            $TALOS_HOME/config or ~/.talos/config, then
                            /var/run/secrets/talos.dev/config inside a pod)
  --context NAME            context to use instead of the file's current one
  -n, --nodes A,B,...       nodes to ask, repeatable (default: the context's nodes)
  -e, --endpoints A,B,...   apid endpoints, host[:port], repeatable (default: the context's)
  --timeout DURATION        deadline of each call, e.g. 500ms, 15s, 2m (default 15s)
`;

export interface TalosTargetFlags {
  readonly talosconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly nodes?: readonly string[] | undefined;
  readonly endpoints?: readonly string[] | undefined;
  readonly timeout?: string | undefined;
}

export interface TalosTarget {
  readonly context: TalosContext;
  readonly nodes: readonly string[];
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
}

/** True when any Talos API flag was given (the command then works against nodes). */
export function wantsTalosApi(flags: TalosTargetFlags): boolean {
  return (Object.keys(talosTargetOptions) as (keyof TalosTargetFlags)[]).some(
    (name) => flags[name] !== undefined,
  );
}

/** `['a, b', 'c']` → [a, b, c]: each value a comma list; empty items are a usage error. */
function splitList(values: string | readonly string[], field: string): string[] {
  return (typeof values === 'string' ? [values] : values).flatMap((value) => {
    const items = value.split(',').map((item) => item.trim());
    if (items.some((item) => item === '' || /\s/.test(item))) {
      throw new TalosLonghornError(
        'usage',
        `${JSON.stringify(value)} is not a comma-separated list of addresses or names`,
        { field },
      );
    }
    return items;
  });
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `500ms`, `15s`, `2m` → milliseconds (1 ms … 1 hour). */
function parseDuration(value: string, field: string): number {
  const match = /^(\d{1,7})(ms|s|m)$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0) : Number.NaN;
  if (!(ms >= 1 && ms <= 3_600_000)) {
    throw new TalosLonghornError(
      'usage',
      `${JSON.stringify(value)} is not a duration between 1ms and 60m (e.g. 500ms, 15s, 2m)`,
      { field },
    );
  }
  return ms;
}

export async function resolveTalosTarget(flags: TalosTargetFlags, io: Io): Promise<TalosTarget> {
  const timeoutMs =
    flags.timeout === undefined ? 15_000 : parseDuration(flags.timeout, '--timeout');
  const nodesFlag = flags.nodes === undefined ? undefined : splitList(flags.nodes, '--nodes');
  const endpointsFlag =
    flags.endpoints === undefined ? undefined : splitList(flags.endpoints, '--endpoints');
  const { loadTalosConfig } = await import('../api/talosconfig.js');
  // The library names its options (`path`, `context`); `context` is the file's own key unless
  // --context was given.
  const flagNames = {
    path: '--talosconfig',
    ...(flags.context === undefined ? {} : { context: '--context' }),
  };
  const context = await withFlags(flagNames, () =>
    loadTalosConfig({
      ...(flags.talosconfig === undefined ? {} : { path: flags.talosconfig }),
      ...(flags.context === undefined ? {} : { context: flags.context }),
      env: io.env,
      cwd: io.cwd,
      ...(io.env.HOME ? { homeDir: io.env.HOME } : {}),
    }),
  );
  const nodes = nodesFlag ?? context.nodes;
  if (nodes.length === 0) {
    throw new TalosLonghornError(
      'usage',
      `no nodes; give --nodes or set nodes in context ${JSON.stringify(context.name)}`,
      { field: '--nodes' },
    );
  }
  const endpoints = endpointsFlag ?? context.endpoints;
  if (endpoints.length === 0) {
    throw new TalosLonghornError(
      'usage',
      `no endpoints; give --endpoints or set endpoints in context ${JSON.stringify(context.name)}`,
      { field: '--endpoints' },
    );
  }
  const { endpointUrl, checkNodeName } = await import('../api/endpoints.js');
  for (const endpoint of endpoints) endpointUrl(endpoint, '--endpoints');
  for (const node of nodes) checkNodeName(node, '--nodes');
  return { context, nodes: [...new Set(nodes)], endpoints: [...new Set(endpoints)], timeoutMs };
}

export async function connectTalos(target: TalosTarget): Promise<TalosClient> {
  const { TalosClient } = await import('../api/client.js');
  return TalosClient.fromContext(target.context, {
    endpoints: target.endpoints,
    timeoutMs: target.timeoutMs,
  });
}
