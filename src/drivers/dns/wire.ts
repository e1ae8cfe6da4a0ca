// DNS wire format for what dns-packet cannot express: RFC 2136 UPDATE messages (dns-packet ignores
// `opcode` and has no class NONE, nor an RR with empty RDATA for "delete an RRset"), the canonical
// names TSIG signs, and a walker that finds the TSIG record at the end of a message.
import { isIPv4, isIPv6 } from 'node:net';
import { LifeboatError } from '../../core/errors/index.js';

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, TSIG: 250, ANY: 255 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE_UPDATE = 5;
export type RecordType = 'A' | 'AAAA' | 'CNAME';

export const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
  16: 'BADSIG',
  17: 'BADKEY',
  18: 'BADTIME',
  22: 'BADTRUNC',
};

export function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

/** Lower-case, without the trailing dot: the form names are compared in. */
export function normalizeName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** Uncompressed wire form, lower-cased: the canonical form TSIG signs (RFC 8945 §4.3.3). */
export function encodeName(name: string): Buffer {
  const n = normalizeName(name);
  const labels = n === '' ? [] : n.split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) {
      throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `the DNS name ${name} has a bad label`);
    }
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255)
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `the DNS name ${name} is too long`);
  return out;
}

/** The RDATA of a value of the record's type; refuses a value that is not of that type. */
export function encodeRdata(type: RecordType, value: string): Buffer {
  if (type === 'A') {
    if (!isIPv4(value)) throw badValue(type, value);
    return Buffer.from(value.split('.').map(Number));
  }
  if (type === 'AAAA') {
    if (!isIPv6(value)) throw badValue(type, value);
    return ipv6Bytes(value);
  }
  return encodeName(value);
}

function badValue(type: string, value: string): LifeboatError {
  return new LifeboatError(
    'LB_E_DRIVER_BAD_INPUT',
    `${JSON.stringify(value.slice(0, 80))} is not a valid ${type} value`,
  );
}

function ipv6Bytes(value: string): Buffer {
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups first.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(value);
  let text = value;
  if (v4?.[1]) {
    const b = v4[1].split('.').map(Number) as [number, number, number, number];
    text = `${value.slice(0, v4.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}

/** One record of an UPDATE's prerequisite or update section (RFC 2136 §2.4, §2.5). */
export interface UpdateRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Buffer;
}

/** "Delete an RRset": class ANY, TTL 0, no RDATA (RFC 2136 §2.5.2). */
export function deleteRRset(name: string, type: RecordType): UpdateRecord {
  return { name, type: TYPE[type], class: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) };
}

/** "Delete an RR from an RRset": class NONE, TTL 0, the RR's RDATA (RFC 2136 §2.5.4). */
export function deleteRR(name: string, type: RecordType, value: string): UpdateRecord {
  return { name, type: TYPE[type], class: CLASS.NONE, ttl: 0, rdata: encodeRdata(type, value) };
}

/** "Add to an RRset": class IN (RFC 2136 §2.5.1). */
export function addRR(name: string, type: RecordType, ttl: number, value: string): UpdateRecord {
  return { name, type: TYPE[type], class: CLASS.IN, ttl, rdata: encodeRdata(type, value) };
}

/** "Name is in use" prerequisite: class ANY, type ANY (RFC 2136 §2.4.4). */
export function nameInUse(name: string): UpdateRecord {
  return { name, type: TYPE.ANY, class: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) };
}

function encodeRecord(r: UpdateRecord): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(r.type, 0);
  fixed.writeUInt16BE(r.class, 2);
  fixed.writeUInt32BE(r.ttl, 4);
  fixed.writeUInt16BE(r.rdata.length, 8);
  return Buffer.concat([encodeName(r.name), fixed, r.rdata]);
}

function header(id: number, flags: number, counts: [number, number, number, number]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => {
    h.writeUInt16BE(c, 4 + i * 2);
  });
  return h;
}

/** An UPDATE message (unsigned): zone, prerequisites, updates; names uncompressed. */
export function buildUpdate(
  id: number,
  zone: string,
  prerequisites: readonly UpdateRecord[],
  updates: readonly UpdateRecord[],
): Buffer {
  const zoneSection = Buffer.concat([encodeName(zone), Buffer.from([0, TYPE.SOA, 0, CLASS.IN])]);
  return Buffer.concat([
    header(id, OPCODE_UPDATE << 11, [1, prerequisites.length, updates.length, 0]),
    zoneSection,
    ...prerequisites.map(encodeRecord),
    ...updates.map(encodeRecord),
  ]);
}

/** A plain query, recursion not desired: we ask the authoritative server itself. */
export function buildQuery(id: number, name: string, type: RecordType | 'SOA'): Buffer {
  return Buffer.concat([
    header(id, 0, [1, 0, 0, 0]),
    encodeName(name),
    Buffer.from([0, TYPE[type], 0, CLASS.IN]),
  ]);
}

function protocolError(why: string): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_PROTOCOL', `malformed DNS message: ${why}`);
}

/** Offset just past a (possibly compressed) name starting at `at`. */
function skipName(msg: Buffer, at: number): number {
  let i = at;
  for (let steps = 0; steps < 128; steps++) {
    if (i >= msg.length) throw protocolError('name runs past the end');
    const len = msg[i] as number;
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0) return i + 2;
    if (len > 63) throw protocolError('bad label length');
    i += 1 + len;
  }
  throw protocolError('name has too many labels');
}

/** Where the last additional record starts, when the message has any; records are walked, not decoded. */
export function lastAdditionalOffset(msg: Buffer): number | undefined {
  if (msg.length < 12) throw protocolError('shorter than a header');
  const qd = msg.readUInt16BE(4);
  const rrs = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  if (msg.readUInt16BE(10) === 0) return undefined;
  let at = 12;
  for (let i = 0; i < qd; i++) at = skipName(msg, at) + 4;
  let last = at;
  for (let i = 0; i < rrs; i++) {
    last = at;
    at = skipName(msg, at);
    if (at + 10 > msg.length) throw protocolError('record header runs past the end');
    at += 10 + msg.readUInt16BE(at + 8);
  }
  if (at > msg.length) throw protocolError('record data runs past the end');
  return last;
}

/** The name at `at`, following compression pointers (bounded), and the offset after it in place. */
export function readName(msg: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = at;
  let end: number | undefined;
  for (let steps = 0; steps < 128; steps++) {
    const len = msg[i];
    if (len === undefined) throw protocolError('name runs past the end');
    if (len === 0) return { name: labels.join('.'), end: end ?? i + 1 };
    if ((len & 0xc0) === 0xc0) {
      end ??= i + 2;
      i = ((len & 0x3f) << 8) | (msg[i + 1] ?? 0);
      continue;
    }
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += 1 + len;
  }
  throw protocolError('name loops');
}
