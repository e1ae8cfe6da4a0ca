// TSIG (RFC 8945) with HMAC-SHA256/512 on node:crypto: signs requests and verifies the server's
// signed answer. Written here rather than shelling out to nsupdate so that the key never reaches
// an argv (visible in `ps`) and the update takes one round trip in-process.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LifeboatError } from '../../core/errors/index.js';
import type { Secret } from '../secrets.js';
import { CLASS, encodeName, lastAdditionalOffset, normalizeName, readName, TYPE } from './wire.js';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';

export interface TsigKey {
  /** Key name as configured on the server (`key "lifeboat" { ... }`). */
  name: string;
  algorithm: TsigAlgorithm;
  /** The base64 secret. */
  secret: Secret;
}

const HASH: Record<TsigAlgorithm, string> = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' };
export const DEFAULT_FUDGE = 300;

export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
}

function keyBytes(key: TsigKey): Buffer {
  const raw = key.secret.reveal().trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `the TSIG secret (${key.secret.ref}) is not base64`,
    );
  }
  return Buffer.from(raw, 'base64');
}

function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(Math.floor(n / 2 ** 32) & 0xffff, 0);
  b.writeUInt32BE(n % 2 ** 32, 2);
  return b;
}

/** The "TSIG variables" that follow the message in the digest (RFC 8945 §4.3.3). */
function tsigVariables(
  key: TsigKey,
  t: { timeSigned: number; fudge: number; error: number; otherData: Buffer },
): Buffer {
  const classTtl = Buffer.alloc(6);
  classTtl.writeUInt16BE(CLASS.ANY, 0);
  const tail = Buffer.alloc(6);
  tail.writeUInt16BE(t.fudge, 0);
  tail.writeUInt16BE(t.error, 2);
  tail.writeUInt16BE(t.otherData.length, 4);
  return Buffer.concat([
    encodeName(key.name),
    classTtl,
    encodeName(key.algorithm),
    u48(t.timeSigned),
    tail,
    t.otherData,
  ]);
}

function hmac(key: TsigKey, parts: Buffer[]): Buffer {
  const h = createHmac(HASH[key.algorithm], keyBytes(key));
  for (const p of parts) h.update(p);
  return h.digest();
}

/** A response's digest starts with the request's MAC, length-prefixed (RFC 8945 §4.3.1). */
function requestMacPrefix(requestMac: Buffer | undefined): Buffer[] {
  if (!requestMac) return [];
  const len = Buffer.alloc(2);
  len.writeUInt16BE(requestMac.length, 0);
  return [len, requestMac];
}

/**
 * Appends a TSIG record to `message` (whose ARCOUNT does not count it yet) and returns the
 * signed message with its MAC, which the caller keeps to verify the answer.
 */
export function tsigSign(
  message: Buffer,
  key: TsigKey,
  opts: { timeSigned: number; fudge?: number; requestMac?: Buffer; error?: number },
): { message: Buffer; mac: Buffer } {
  const t = {
    timeSigned: opts.timeSigned,
    fudge: opts.fudge ?? DEFAULT_FUDGE,
    error: opts.error ?? 0,
    otherData: Buffer.alloc(0),
  };
  const mac = hmac(key, [...requestMacPrefix(opts.requestMac), message, tsigVariables(key, t)]);
  const originalId = message.readUInt16BE(0);
  const rdataTail = Buffer.alloc(6);
  rdataTail.writeUInt16BE(originalId, 0);
  rdataTail.writeUInt16BE(t.error, 2);
  rdataTail.writeUInt16BE(0, 4);
  const macSize = Buffer.alloc(2);
  macSize.writeUInt16BE(mac.length, 0);
  const fudge = Buffer.alloc(2);
  fudge.writeUInt16BE(t.fudge, 0);
  const rdata = Buffer.concat([
    encodeName(key.algorithm),
    u48(t.timeSigned),
    fudge,
    macSize,
    mac,
    rdataTail,
  ]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE.TSIG, 0);
  fixed.writeUInt16BE(CLASS.ANY, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  const signed = Buffer.concat([message, encodeName(key.name), fixed, rdata]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message: signed, mac };
}

/** Splits a message into its TSIG record and the message as it was before signing. */
export function extractTsig(msg: Buffer): { unsigned: Buffer; tsig: TsigRecord } | undefined {
  const at = lastAdditionalOffset(msg);
  if (at === undefined) return undefined;
  const owner = readName(msg, at);
  const type = msg.readUInt16BE(owner.end);
  if (type !== TYPE.TSIG) return undefined;
  let i = owner.end + 10;
  const alg = readName(msg, i);
  i = alg.end;
  const timeSigned = msg.readUInt16BE(i) * 2 ** 32 + msg.readUInt32BE(i + 2);
  const fudge = msg.readUInt16BE(i + 6);
  const macSize = msg.readUInt16BE(i + 8);
  const mac = msg.subarray(i + 10, i + 10 + macSize);
  i += 10 + macSize;
  const originalId = msg.readUInt16BE(i);
  const error = msg.readUInt16BE(i + 2);
  const otherLen = msg.readUInt16BE(i + 4);
  const otherData = msg.subarray(i + 6, i + 6 + otherLen);
  const unsigned = Buffer.from(msg.subarray(0, at));
  unsigned.writeUInt16BE(msg.readUInt16BE(10) - 1, 10);
  unsigned.writeUInt16BE(originalId, 0);
  return {
    unsigned,
    tsig: {
      keyName: normalizeName(owner.name),
      algorithm: normalizeName(alg.name),
      timeSigned,
      fudge,
      mac: Buffer.from(mac),
      originalId,
      error,
      otherData: Buffer.from(otherData),
    },
  };
}

export type TsigCheck =
  | { ok: true; tsig: TsigRecord }
  | { ok: false; why: 'unsigned' | 'wrong key' | 'bad mac' | 'bad time'; tsig?: TsigRecord };

/**
 * Verifies a signed answer to a request whose MAC was `requestMac`. A TSIG error in the answer
 * (BADSIG, BADKEY: sent unsigned) is returned as is, for the caller to report.
 */
export function tsigVerify(
  response: Buffer,
  key: TsigKey,
  requestMac: Buffer,
  nowSeconds: number,
): TsigCheck {
  const parts = extractTsig(response);
  if (!parts) return { ok: false, why: 'unsigned' };
  const { tsig, unsigned } = parts;
  if (tsig.keyName !== normalizeName(key.name) || tsig.algorithm !== key.algorithm) {
    return { ok: false, why: 'wrong key', tsig };
  }
  if (tsig.error !== 0 && tsig.mac.length === 0) return { ok: true, tsig };
  const expected = hmac(key, [...requestMacPrefix(requestMac), unsigned, tsigVariables(key, tsig)]);
  if (expected.length !== tsig.mac.length || !timingSafeEqual(expected, tsig.mac)) {
    return { ok: false, why: 'bad mac', tsig };
  }
  if (Math.abs(nowSeconds - tsig.timeSigned) > tsig.fudge)
    return { ok: false, why: 'bad time', tsig };
  return { ok: true, tsig };
}
