// The fake apid in its own process, so that a benchmark measures the client (ours) and not the
// test server's own CPU: a real apid runs on another machine. Reads its settings as JSON on
// stdin, serves fixture node directories, prints `{"port": N}` once listening, and runs until
// stdin closes.
import { startFakeTalos } from '../helpers/talos-server.js';
import { fakeNodeFor } from '../preflight/fixture-nodes.js';

interface Settings {
  readonly ca: string;
  readonly server: { readonly cert: string; readonly key: string };
  readonly latencyMs: number;
  /** Node name → fixture directory. */
  readonly nodes: Record<string, string>;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const end = input.indexOf('\n');
  if (end < 0) return;
  const settings = JSON.parse(input.slice(0, end)) as Settings;
  input = '\u0000';
  void (async () => {
    const nodes: Record<string, Awaited<ReturnType<typeof fakeNodeFor>>> = {};
    for (const [name, dir] of Object.entries(settings.nodes)) nodes[name] = await fakeNodeFor(dir);
    const server = await startFakeTalos({
      ca: settings.ca,
      server: settings.server,
      nodes,
      latencyMs: settings.latencyMs,
    });
    process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
    process.stdin.on('end', () => {
      void server.close().then(() => process.exit(0));
    });
  })();
});
