// A Talos-like PKI minted at test time with Node's own crypto: an Ed25519 CA, a server
// certificate with an IP SAN, and client certificates whose Organization carries the Talos role.
// Node can parse X.509 but not issue it, so the TBSCertificate is written here as DER and signed
// with crypto.sign (Ed25519 signs the message itself, no digest).
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

// ---- a minimal DER writer -------------------------------------------------------------------

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const octets = (bytes: Buffer) => tlv(0x04, bytes);
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.from([0]), bytes);
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

function integer(bytes: Buffer): Buffer {
  // DER integers are signed: keep a leading zero when the top bit is set.
  const trimmed = bytes.subarray(bytes.findIndex((b) => b !== 0));
  const body = trimmed.length === 0 ? Buffer.from([0]) : trimmed;
  return tlv(0x02, (body[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  const bytes = [first * 40 + second];
  for (const part of rest) {
    const groups: number[] = [];
    for (let n = part; ; n = Math.floor(n / 128)) {
      groups.unshift((n % 128) | (groups.length ? 0x80 : 0));
      if (n < 128) break;
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  const year = date.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

// ---- certificates ---------------------------------------------------------------------------

const ED25519 = sequence(oid('1.3.101.112'));

export interface Name {
  readonly organization?: readonly string[];
  readonly commonName?: string;
}

function name(subject: Name): Buffer {
  const rdns = [
    ...(subject.organization ?? []).map((o) => set(sequence(oid('2.5.4.10'), utf8(o)))),
    ...(subject.commonName === undefined
      ? []
      : [set(sequence(oid('2.5.4.3'), utf8(subject.commonName)))]),
  ];
  return sequence(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octets(value));
}

function subjectAltNames(names: readonly string[]): Buffer {
  return sequence(
    ...names.map((n) => {
      if (isIP(n) === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
      return tlv(0x82, Buffer.from(n, 'ascii'));
    }),
  );
}

export interface CertificateRequest {
  readonly subject: Name;
  readonly publicKey: KeyObject;
  readonly isCa?: boolean;
  readonly serverNames?: readonly string[];
  readonly clientAuth?: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface Issuer {
  readonly subject: Name;
  readonly privateKey: KeyObject;
}

/** Issue an X.509 v3 certificate signed with the issuer's Ed25519 key; returns PEM. */
export function issueCertificate(request: CertificateRequest, issuer: Issuer): string {
  const keyUsage = request.isCa
    ? Buffer.from([0x03, 0x02, 0x02, 0x84]) // digitalSignature, keyCertSign
    : Buffer.from([0x03, 0x02, 0x07, 0x80]); // digitalSignature
  const extensions = [
    extension('2.5.29.15', true, keyUsage),
    extension('2.5.29.19', true, sequence(...(request.isCa ? [boolean(true)] : []))),
  ];
  if (!request.isCa) {
    const purposes = [
      ...(request.serverNames ? ['1.3.6.1.5.5.7.3.1'] : []),
      ...(request.clientAuth ? ['1.3.6.1.5.5.7.3.2'] : []),
    ];
    extensions.push(extension('2.5.29.37', false, sequence(...purposes.map(oid))));
  }
  if (request.serverNames) {
    extensions.push(extension('2.5.29.17', false, subjectAltNames(request.serverNames)));
  }
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    ED25519,
    name(issuer.subject),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.subject),
    request.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign(null, tbs, issuer.privateKey);
  const der = sequence(tbs, ED25519, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

// ---- a Talos-like set -----------------------------------------------------------------------

export interface KeyPairPem {
  /** PEM certificate. */
  readonly cert: string;
  /** PKCS#8 PEM with the standard `PRIVATE KEY` label. */
  readonly key: string;
  /** The same key as talosctl writes it: `ED25519 PRIVATE KEY` around PKCS#8. */
  readonly talosKey: string;
}

export interface TestPki {
  readonly ca: string;
  readonly server: KeyPairPem;
  readonly admin: KeyPairPem;
  readonly reader: KeyPairPem;
  readonly expiredAdmin: KeyPairPem;
  /** A second, unrelated CA with an admin client and a server certificate of its own. */
  readonly otherCa: string;
  readonly otherServer: KeyPairPem;
  readonly otherAdmin: KeyPairPem;
  /** A client certificate of the main CA with the given Organization entries (roles). */
  client(roles: readonly string[]): KeyPairPem;
}

const DAY = 86_400_000;

function keyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

function pems(cert: string, privateKey: KeyObject): KeyPairPem {
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { cert, key, talosKey: key.replaceAll('PRIVATE KEY', 'ED25519 PRIVATE KEY') };
}

function mintAuthority(now: Date, serverNames: readonly string[]) {
  const caKeys = keyPair();
  const issuer: Issuer = { subject: { organization: ['talos'] }, privateKey: caKeys.privateKey };
  const ca = issueCertificate(
    {
      subject: issuer.subject,
      publicKey: caKeys.publicKey,
      isCa: true,
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 3650 * DAY),
    },
    issuer,
  );
  const leaf = (
    subject: Name,
    options: { server?: boolean; notBefore?: Date; notAfter?: Date },
  ): KeyPairPem => {
    const keys = keyPair();
    const cert = issueCertificate(
      {
        subject,
        publicKey: keys.publicKey,
        ...(options.server ? { serverNames } : { clientAuth: true }),
        notBefore: options.notBefore ?? new Date(now.getTime() - DAY),
        notAfter: options.notAfter ?? new Date(now.getTime() + 365 * DAY),
      },
      issuer,
    );
    return pems(cert, keys.privateKey);
  };
  return { ca, leaf };
}

/** Mint the whole set; takes a few milliseconds (Ed25519 keys are cheap). */
export function mintTestPki(now = new Date(), serverNames: readonly string[] = ['127.0.0.1']) {
  const main = mintAuthority(now, serverNames);
  const other = mintAuthority(now, serverNames);
  const pki: TestPki = {
    ca: main.ca,
    server: main.leaf({ commonName: 'talos-apid' }, { server: true }),
    admin: main.leaf({ organization: ['os:admin'] }, {}),
    reader: main.leaf({ organization: ['os:reader'] }, {}),
    expiredAdmin: main.leaf(
      { organization: ['os:admin'] },
      { notBefore: new Date(now.getTime() - 30 * DAY), notAfter: new Date(now.getTime() - DAY) },
    ),
    otherCa: other.ca,
    otherServer: other.leaf({ commonName: 'talos-apid' }, { server: true }),
    otherAdmin: other.leaf({ organization: ['os:admin'] }, {}),
    client: (roles) => main.leaf({ organization: roles }, {}),
  };
  return pki;
}
