// What both DNS providers share: the record's configuration (validated before anything is sent),
// the destination ↔ value mapping, and reading the record back from the authoritative server.
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil } from '../context.js';
import type { OperationContext } from '../driver.js';
import { safeDnsName, safeHost, safeName, safePort } from '../safe-values.js';
import type { DnsServer, DnsTransport, ExchangeOptions } from './transport.js';
import { buildQuery, encodeRdata, normalizeName, type RecordType, rcodeName } from './wire.js';

export interface DnsRecordConfig {
  /** The record clients resolve (`app.lab.test`), inside `zone`. */
  record: string;
  zone: string;
  type: RecordType;
  /** Seconds; resolvers may serve the old value this long after a switch. */
  ttl: number;
  /** Destination (node or site name) → the record's value when that destination is active. */
  values: Readonly<Record<string, string>>;
  /** Per-exchange timeout and UDP attempts; the read-back's bound and interval. */
  timing?: Partial<DnsTiming>;
}

export interface DnsTiming {
  exchangeTimeoutMs: number;
  attempts: number;
  visibleTimeoutMs: number;
  pollIntervalMs: number;
}

export const DEFAULT_TIMING: DnsTiming = {
  exchangeTimeoutMs: 1000,
  attempts: 2,
  visibleTimeoutMs: 10_000,
  pollIntervalMs: 20,
};

export interface ValidRecord {
  record: string;
  zone: string;
  type: RecordType;
  ttl: number;
  /** Destination → value, values canonical (see canonicalValue). */
  values: ReadonlyMap<string, string>;
  timing: DnsTiming;
}

/** Every field checked; the value of each destination checked against the record type. */
export function validateRecord(cfg: DnsRecordConfig): ValidRecord {
  const record = normalizeName(safeDnsName(cfg.record, 'the DNS record'));
  const zone = normalizeName(safeDnsName(cfg.zone, 'the DNS zone'));
  if (record !== zone && !record.endsWith(`.${zone}`)) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `the record ${record} is not inside zone ${zone}`,
    );
  }
  if (!['A', 'AAAA', 'CNAME'].includes(cfg.type)) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'the record type must be A, AAAA or CNAME');
  }
  if (!Number.isInteger(cfg.ttl) || cfg.ttl < 0 || cfg.ttl > 2 ** 31 - 1) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'the TTL must be a whole number of seconds');
  }
  const values = new Map<string, string>();
  for (const [dest, value] of Object.entries(cfg.values)) {
    safeName(dest, 'a DNS destination name');
    if (cfg.type === 'CNAME') safeDnsName(value, `the CNAME value of ${dest}`);
    encodeRdata(cfg.type, value);
    values.set(dest, canonicalValue(cfg.type, value));
  }
  if (values.size === 0) {
    throw new LifeboatError('LB_E_DRIVER_CONFIG', 'no value is configured for any destination');
  }
  return { record, zone, type: cfg.type, ttl: cfg.ttl, values, timing: timingOf(cfg.timing) };
}

function timingOf(t: Partial<DnsTiming> | undefined): DnsTiming {
  const out = { ...DEFAULT_TIMING, ...t };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isInteger(v) || v < 1 || v > 600_000)
      throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `timing.${k} must be 1-600000`);
  }
  return out;
}

export function validateServer(s: DnsServer, what: string): DnsServer {
  return { host: safeHost(s.host, `${what} host`), port: safePort(s.port, `${what} port`) };
}

/** The form values are compared in: IPv6 expanded through its bytes, names lower-case. */
export function canonicalValue(type: RecordType, value: string): string {
  if (type === 'AAAA') {
    const b = encodeRdata('AAAA', value);
    return Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(':');
  }
  return type === 'CNAME' ? normalizeName(value) : value;
}

/** The destination whose value is `value`, if any. */
export function destinationOf(r: ValidRecord, values: readonly string[]): string | undefined {
  if (values.length !== 1) return undefined;
  for (const [dest, v] of r.values) if (v === values[0]) return dest;
  return undefined;
}

export function valueFor(r: ValidRecord, destination: string): string {
  const v = r.values.get(safeName(destination, 'the destination'));
  if (v === undefined) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `no value is configured for destination ${JSON.stringify(destination.slice(0, 64))} of ${r.record}`,
      { hint: `Known destinations: ${[...r.values.keys()].join(', ')}.` },
    );
  }
  return v;
}

export interface RecordAnswer {
  rcode: string;
  /** The server answered authoritatively (AA bit). */
  authoritative: boolean;
  /** Canonical values of the RRset, sorted. */
  values: string[];
  ttl: number | undefined;
}

/** Asks the authoritative server itself (no recursion) for the record. */
export async function queryRecord(
  ctx: OperationContext,
  transport: DnsTransport,
  server: DnsServer,
  r: ValidRecord,
): Promise<RecordAnswer> {
  const opts: ExchangeOptions = {
    timeoutMs: r.timing.exchangeTimeoutMs,
    attempts: r.timing.attempts,
  };
  const answer = await transport(
    ctx,
    server,
    buildQuery(randomInt(0, 65536), r.record, r.type),
    opts,
  );
  let decoded: dnsPacket.DecodedPacket;
  try {
    decoded = dnsPacket.decode(answer);
  } catch (e) {
    throw new LifeboatError(
      'LB_E_DRIVER_PROTOCOL',
      `cannot decode the DNS answer: ${(e as Error).message}`,
    );
  }
  const rcode = rcodeName((decoded.flags ?? 0) & 0xf);
  const rrs = (decoded.answers ?? []).filter(
    (a) => a.type === r.type && normalizeName(a.name) === r.record,
  );
  return {
    rcode,
    authoritative: decoded.flag_aa,
    values: rrs.map((a) => canonicalValue(r.type, String((a as { data: unknown }).data))).sort(),
    ttl: rrs[0] && 'ttl' in rrs[0] ? rrs[0].ttl : undefined,
  };
}

/** Polls the authoritative server until the record is exactly `value`; resolves with the time it took. */
export async function waitVisible(
  ctx: OperationContext,
  read: () => Promise<{ values: readonly string[]; ttl: number | undefined }>,
  r: ValidRecord,
  value: string,
): Promise<{ ms: number; ttl: number | undefined }> {
  const t0 = performance.now();
  const seen = await pollUntil(
    ctx,
    `${r.record} ${r.type} to read ${value} at the authoritative server`,
    async () => {
      const a = await read();
      return a.values.length === 1 && a.values[0] === value ? a : undefined;
    },
    { timeoutMs: r.timing.visibleTimeoutMs, intervalMs: r.timing.pollIntervalMs },
  );
  return { ms: Math.round((performance.now() - t0) * 10) / 10, ttl: seen.ttl };
}

/** The sentence every switch ends with: caches are outside our reach until the TTL runs out. */
export function ttlNotice(ttl: number | undefined, previous: readonly string[]): string {
  const old = previous.length > 0 ? ` (${previous.join(', ')})` : '';
  return `resolvers may keep the old answer${old} up to ${ttl ?? '?'} s (TTL)`;
}
