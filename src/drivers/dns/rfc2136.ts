// RFC 2136 dynamic update signed with TSIG, sent to the zone's authoritative server, then read back
// from that same server (a direct query, never a resolver) until it shows the new value.
import { randomInt } from 'node:crypto';
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { EffectResult, Observation, OperationContext, Switchable } from '../driver.js';
import { safeDnsName } from '../safe-values.js';
import {
  type DnsRecordConfig,
  destinationOf,
  queryRecord,
  type RecordAnswer,
  ttlNotice,
  type ValidRecord,
  validateRecord,
  validateServer,
  valueFor,
  waitVisible,
} from './record.js';
import { type DnsServer, type DnsTransport, udpThenTcp } from './transport.js';
import { type TsigKey, tsigSign, tsigVerify } from './tsig.js';
import { addRR, buildUpdate, deleteRRset, rcodeName } from './wire.js';

export interface Rfc2136Config extends DnsRecordConfig {
  /** The zone's primary authoritative server: updates go there and are read back from there. */
  server: DnsServer;
  tsig: TsigKey;
}

/** Maps an UPDATE's failure to a coded error: key problems are not retryable, server trouble is. */
export function updateError(rcode: string, server: DnsServer, record: string): LifeboatError {
  const where = `${server.host}:${server.port}`;
  if (['NOTAUTH', 'BADSIG', 'BADKEY', 'BADTIME'].includes(rcode)) {
    return new LifeboatError(
      'LB_E_DRIVER_AUTH',
      `${where} refused the TSIG-signed update of ${record}: ${rcode}`,
      {
        hint:
          rcode === 'BADTIME'
            ? "The clocks of Lifeboat's host and the DNS server differ by more than the TSIG fudge (300 s): fix NTP."
            : 'Check the TSIG key name, algorithm and secret against the server (`key` clause, `allow-update`).',
        details: { rcode },
      },
    );
  }
  if (rcode === 'REFUSED')
    return new LifeboatError('LB_E_DNS_REFUSED', `${where} refused the update of ${record}`, {
      details: { rcode },
    });
  if (rcode === 'SERVFAIL')
    return new LifeboatError(
      'LB_E_DNS_SERVFAIL',
      `${where} failed (SERVFAIL) to update ${record}`,
      {
        details: { rcode },
      },
    );
  return new LifeboatError(
    'LB_E_DNS_UPDATE_REJECTED',
    `${where} rejected the update of ${record}: ${rcode}`,
    {
      details: { rcode },
    },
  );
}

export class Rfc2136Driver implements Switchable {
  readonly kind = 'dns';
  readonly target: string;
  private readonly r: ValidRecord;
  private readonly server: DnsServer;
  private readonly key: TsigKey;
  private readonly transport: DnsTransport;
  private readonly now: () => number;

  constructor(
    cfg: Rfc2136Config,
    deps: { transport?: DnsTransport; nowSeconds?: () => number } = {},
  ) {
    this.r = validateRecord(cfg);
    this.server = validateServer(cfg.server, 'the DNS server');
    if (!['hmac-sha256', 'hmac-sha512'].includes(cfg.tsig.algorithm)) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        'the TSIG algorithm must be hmac-sha256 or hmac-sha512',
      );
    }
    this.key = { ...cfg.tsig, name: safeDnsName(cfg.tsig.name, 'the TSIG key name') };
    this.target = `${this.r.record} ${this.r.type}`;
    this.transport = deps.transport ?? udpThenTcp;
    this.now = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  private read(ctx: OperationContext): Promise<RecordAnswer> {
    return queryRecord(ctx, this.transport, this.server, this.r);
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    throwIfAborted(ctx, `observe ${this.target}`);
    const a = await this.read(ctx);
    const destination = destinationOf(this.r, a.values);
    const healthy = a.rcode === 'NOERROR' && a.authoritative && a.values.length > 0;
    return {
      healthy,
      summary: `${this.target} = ${a.values.join(', ') || '(none)'}${destination ? ` (${destination})` : ''} at ${this.server.host}, ${a.rcode}${a.authoritative ? '' : ', not authoritative'}`,
      facts: {
        record: this.r.record,
        type: this.r.type,
        server: `${this.server.host}:${this.server.port}`,
        rcode: a.rcode,
        authoritative: a.authoritative,
        values: a.values,
        ttl: a.ttl,
        destination,
      },
    };
  }

  async current(ctx: OperationContext): Promise<string | undefined> {
    throwIfAborted(ctx, `read ${this.target}`);
    return destinationOf(this.r, (await this.read(ctx)).values);
  }

  async switchTo(ctx: OperationContext, destination: string): Promise<EffectResult> {
    const value = valueFor(this.r, destination);
    throwIfAborted(ctx, `switch ${this.target}`);
    const before = await this.read(ctx);
    if (before.values.length === 1 && before.values[0] === value && before.ttl === this.r.ttl) {
      return {
        changed: false,
        detail: `${this.target} already points to ${destination} (${value})`,
        data: { destination, value, ttl: before.ttl },
      };
    }
    const t0 = performance.now();
    await this.sendUpdate(ctx, value);
    const updateMs = Math.round((performance.now() - t0) * 10) / 10;
    const seen = await waitVisible(ctx, () => this.read(ctx), this.r, value);
    const from = destinationOf(this.r, before.values);
    return {
      changed: true,
      detail: `${this.target} → ${value} (${destination}), visible at ${this.server.host} in ${seen.ms} ms; ${ttlNotice(seen.ttl, before.values)}`,
      data: {
        from,
        previous: before.values,
        destination,
        value,
        ttl: seen.ttl,
        updateMs,
        visibleMs: seen.ms,
        server: `${this.server.host}:${this.server.port}`,
      },
    };
  }

  /** Delete the RRset and add the one value, in one signed message: the server applies both or neither. */
  private async sendUpdate(ctx: OperationContext, value: string): Promise<void> {
    const { record, type, ttl, zone } = this.r;
    const unsigned = buildUpdate(
      randomInt(0, 65536),
      zone,
      [],
      [deleteRRset(record, type), addRR(record, type, ttl, value)],
    );
    const { message, mac } = tsigSign(unsigned, this.key, { timeSigned: this.now() });
    const answer = await this.transport(ctx, this.server, message, {
      timeoutMs: this.r.timing.exchangeTimeoutMs,
      attempts: this.r.timing.attempts,
    });
    if (answer.length < 12) throw new LifeboatError('LB_E_DRIVER_PROTOCOL', 'short DNS answer');
    const check = tsigVerify(answer, this.key, mac, this.now());
    // A TSIG error (BADSIG, BADKEY, BADTIME) is the more precise reason when there is one.
    const tsigError = check.tsig?.error ? rcodeName(check.tsig.error) : undefined;
    const rcode = tsigError ?? rcodeName(answer.readUInt16BE(2) & 0xf);
    if (rcode !== 'NOERROR') throw updateError(rcode, this.server, record);
    if (!check.ok) {
      // The server says it applied the update, but we cannot prove the answer came from it.
      throw new LifeboatError(
        'LB_E_DRIVER_PROTOCOL',
        `the answer to the update of ${record} failed TSIG verification (${check.why}); read the record back before trusting it`,
      );
    }
  }
}
