/**
 * A deterministic tar (POSIX ustar, with a pax extended header only for names that do not fit):
 * entries in the order given, mtime 0, uid/gid 0, empty user and group names, the modes given.
 * Same entries in, same bytes out, on every machine.
 */
export type EntryType = 'dir' | 'file' | 'symlink';

/**
 * One entry of `createTar`: a directory, a regular file with its content, or a symlink with its
 * target.
 */
export interface TarEntry {
  /** Relative path with `/` separators, no leading `/`, no trailing `/`. */
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits (e.g. 0o755). */
  readonly mode: number;
  readonly content?: Uint8Array;
  readonly linkTarget?: string;
}

const BLOCK = 512;
const encoder = new TextEncoder();

function writeString(header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  header.set(bytes, offset);
}

function writeOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  // length - 1 octal digits, then NUL.
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new Error(`tar number too large: ${value}`);
  writeString(header, offset, length, digits);
}

/** Split a path into ustar prefix (≤ 155 bytes) and name (≤ 100 bytes), if possible. */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (encoder.encode(path).length <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100 && name) {
      return { prefix, name };
    }
  }
  return undefined;
}

interface HeaderFields {
  readonly name: string;
  readonly prefix: string;
  readonly mode: number;
  readonly size: number;
  readonly typeflag: string;
  readonly linkname: string;
}

function header(fields: HeaderFields): Uint8Array {
  const h = new Uint8Array(BLOCK);
  writeString(h, 0, 100, fields.name);
  writeOctal(h, 100, 8, fields.mode);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, fields.size);
  writeOctal(h, 136, 12, 0); // mtime
  h.fill(0x20, 148, 156); // checksum field counts as spaces
  writeString(h, 156, 1, fields.typeflag);
  writeString(h, 157, 100, fields.linkname);
  writeString(h, 257, 6, 'ustar');
  writeString(h, 263, 2, '00');
  writeOctal(h, 329, 8, 0); // devmajor
  writeOctal(h, 337, 8, 0); // devminor
  writeString(h, 345, 155, fields.prefix);
  const sum = h.reduce((acc, byte) => acc + byte, 0);
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** One pax record: "<length> <key>=<value>\n", where length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length !== String(bodyLength).length)
    length = bodyLength + String(length).length;
  return `${length}${body}`;
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, new Uint8Array(BLOCK - rest)];
}

const typeflags: Record<EntryType, string> = { file: '0', symlink: '2', dir: '5' };

/**
 * Pack entries into a deterministic tar archive (see the module comment): in the order given,
 * ending with the two zero blocks.
 */
export function createTar(entries: readonly TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const path = entry.type === 'dir' ? `${entry.path}/` : entry.path;
    const content = entry.type === 'file' ? (entry.content ?? new Uint8Array()) : new Uint8Array();
    const linkname = entry.linkTarget ?? '';
    const split = splitUstarPath(path);
    const pax: string[] = [];
    if (split === undefined) pax.push(paxRecord('path', path));
    if (encoder.encode(linkname).length > 100) pax.push(paxRecord('linkpath', linkname));
    if (pax.length > 0) {
      const data = encoder.encode(pax.join(''));
      const paxName = `PaxHeaders/${path.replace(/\/$/, '').split('/').pop() ?? 'entry'}`.slice(
        0,
        100,
      );
      parts.push(
        header({
          name: paxName,
          prefix: '',
          mode: 0o644,
          size: data.length,
          typeflag: 'x',
          linkname: '',
        }),
        ...padded(data),
      );
    }
    parts.push(
      header({
        name: split?.name ?? path.slice(-100),
        prefix: split?.prefix ?? '',
        mode: entry.mode,
        size: content.length,
        typeflag: typeflags[entry.type],
        linkname: linkname.length > 100 ? '' : linkname,
      }),
    );
    if (content.length > 0) parts.push(...padded(content));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const total = parts.reduce((acc, part) => acc + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
