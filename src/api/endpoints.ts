import { isIP } from 'node:net';
import { TalosLonghornError } from '../errors.js';

/** apid's port; talosctl uses it when an endpoint has none. */
export const TALOS_API_PORT = 50000;

/**
 * Turn a talosconfig/`--endpoints` entry (`host`, `host:port`, `[v6]:port`, `https://host:port`)
 * into the base URL of a gRPC transport.
 */
export function endpointUrl(endpoint: string, field: string): string {
  const text = endpoint.trim().replace(/^https:\/\//, '');
  const fail = (why: string) =>
    new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(endpoint)} ${why}; expected host, host:port or [IPv6]:port`,
      { field },
    );
  if (text === '' || /[\s/?#@]/.test(text)) throw fail('is not an endpoint');
  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2];
    if (isIP(host) !== 6) throw fail('has an invalid IPv6 address');
  } else if (isIP(text) === 6) {
    host = text;
  } else {
    const parts = text.split(':');
    if (parts.length > 2) throw fail('is ambiguous (IPv6 addresses need brackets)');
    host = parts[0] ?? '';
    port = parts[1];
  }
  if (host === '') throw fail('has no host');
  const portNumber = port === undefined ? TALOS_API_PORT : Number(port);
  if (
    !/^\d*$/.test(port ?? '') ||
    !Number.isInteger(portNumber) ||
    portNumber < 1 ||
    portNumber > 65535
  ) {
    throw fail('has an invalid port');
  }
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${portNumber}`;
}

/** A node as sent in the `node` header: an address or a name, no blanks, no commas. */
export function checkNodeName(node: string, field: string): string {
  const name = node.trim();
  if (name === '' || /[\s,]/.test(name)) {
    throw new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(node)} is not a node address or name`,
      { field },
    );
  }
  return name;
}
