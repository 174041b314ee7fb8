// The fake apid of test/bench/api.ts in its own process, as a real apid runs on its own
// machine: reads {pki, nodes, latencyMs} as JSON on stdin, prints the port, serves until killed.
import { startFakeTalos } from '../helpers/talos-server.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const server = await startFakeTalos(input);
process.stdout.write(`${server.port}\n`);
