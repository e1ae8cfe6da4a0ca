// The PowerDNS HTTP API as a second DNS provider: one PATCH replaces the RRset, then the record is
// read back from PowerDNS's own DNS port (what clients' resolvers ask), or from the API.
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { EffectResult, Observation, OperationContext, Switchable } from '../driver.js';
import { safeHost, safeName } from '../safe-values.js';
import type { Secret } from '../secrets.js';
import {
  canonicalValue,
  type DnsRecordConfig,
  destinationOf,
  queryRecord,
  ttlNotice,
  type ValidRecord,
  validateRecord,
  validateServer,
  valueFor,
  waitVisible,
} from './record.js';
import { type DnsServer, type DnsTransport, udpThenTcp } from './transport.js';

export interface PowerDnsConfig extends DnsRecordConfig {
  api: {
    /** Base URL of the API: `http://10.77.0.3:8081/api/v1`. */
    url: string;
    /** Default `localhost` (the only server id PowerDNS Authoritative has). */
    serverId?: string;
    key: Secret;
  };
  /** PowerDNS's DNS listener, to read the change back as clients see it; without it, the API is read. */
  server?: DnsServer;
}

type Fetch = typeof fetch;

interface RRset {
  name: string;
  type: string;
  ttl: number;
  records: { content: string; disabled: boolean }[];
}

function validateApiUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'the PowerDNS API URL is not a URL');
  }
  if (
    !['http:', 'https:'].includes(u.protocol) ||
    u.username ||
    u.password ||
    u.search ||
    u.hash ||
    !/^[A-Za-z0-9._/-]*$/.test(u.pathname)
  ) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      'the PowerDNS API URL must be http(s)://host:port/path without credentials, query or fragment',
    );
  }
  safeHost(u.hostname.replace(/^\[|\]$/g, ''), 'the PowerDNS API host');
  return u;
}

export class PowerDnsDriver implements Switchable {
  readonly kind = 'dns';
  readonly target: string;
  private readonly r: ValidRecord;
  private readonly zoneUrl: string;
  private readonly key: Secret;
  private readonly server: DnsServer | undefined;
  private readonly fetch: Fetch;
  private readonly transport: DnsTransport;

  constructor(cfg: PowerDnsConfig, deps: { fetch?: Fetch; transport?: DnsTransport } = {}) {
    this.r = validateRecord(cfg);
    const base = validateApiUrl(cfg.api.url).href.replace(/\/+$/, '');
    const serverId = safeName(cfg.api.serverId ?? 'localhost', 'the PowerDNS server id');
    this.zoneUrl = `${base}/servers/${serverId}/zones/${encodeURIComponent(`${this.r.zone}.`)}`;
    this.key = cfg.api.key;
    this.server = cfg.server ? validateServer(cfg.server, 'the PowerDNS DNS server') : undefined;
    this.target = `${this.r.record} ${this.r.type}`;
    this.fetch = deps.fetch ?? fetch;
    this.transport = deps.transport ?? udpThenTcp;
  }

  private async request(
    ctx: OperationContext,
    method: 'GET' | 'PATCH',
    url: string,
    body?: unknown,
  ) {
    throwIfAborted(ctx, `PowerDNS ${method}`);
    const signal = AbortSignal.any([
      ctx.signal,
      AbortSignal.timeout(this.r.timing.exchangeTimeoutMs * 3),
    ]);
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: { 'X-API-Key': this.key.reveal(), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      throwIfAborted(ctx, `PowerDNS ${method}`);
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new LifeboatError(
        'LB_E_DRIVER_UNREACHABLE',
        `the PowerDNS API at ${new URL(url).host} did not answer: ${cause}`,
      );
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new LifeboatError(
        'LB_E_DRIVER_AUTH',
        `the PowerDNS API refused the API key (${this.key.ref}): HTTP ${res.status}`,
      );
    }
    if (res.status >= 500) {
      throw new LifeboatError(
        'LB_E_DNS_SERVFAIL',
        `the PowerDNS API failed: HTTP ${res.status} ${oneLine(text)}`,
      );
    }
    if (res.status >= 400) {
      throw new LifeboatError(
        'LB_E_DNS_UPDATE_REJECTED',
        `the PowerDNS API rejected ${method} ${this.target}: HTTP ${res.status} ${oneLine(text)}`,
      );
    }
    return text;
  }

  /** The RRset as the API has it (authoritative data, before any packet cache). */
  private async apiRead(
    ctx: OperationContext,
  ): Promise<{ values: string[]; ttl: number | undefined }> {
    const url = `${this.zoneUrl}?rrset_name=${encodeURIComponent(`${this.r.record}.`)}&rrset_type=${this.r.type}`;
    let zone: { rrsets?: RRset[] };
    try {
      zone = JSON.parse(await this.request(ctx, 'GET', url)) as { rrsets?: RRset[] };
    } catch (e) {
      if (e instanceof LifeboatError) throw e;
      throw new LifeboatError(
        'LB_E_DRIVER_PROTOCOL',
        'the PowerDNS API answered something that is not JSON',
      );
    }
    const rrset = (zone.rrsets ?? []).find(
      (s) => s.type === this.r.type && s.name.replace(/\.$/, '').toLowerCase() === this.r.record,
    );
    const values = (rrset?.records ?? [])
      .filter((x) => !x.disabled)
      .map((x) => canonicalValue(this.r.type, x.content))
      .sort();
    return { values, ttl: rrset?.ttl };
  }

  private read(ctx: OperationContext) {
    return this.server ? queryRecord(ctx, this.transport, this.server, this.r) : this.apiRead(ctx);
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    const a = await this.apiRead(ctx);
    const dns = this.server
      ? await queryRecord(ctx, this.transport, this.server, this.r)
      : undefined;
    const destination = destinationOf(this.r, a.values);
    const agree = !dns || dns.values.join() === a.values.join();
    return {
      healthy: a.values.length > 0 && agree && (!dns || dns.rcode === 'NOERROR'),
      summary: `${this.target} = ${a.values.join(', ') || '(none)'}${destination ? ` (${destination})` : ''} in PowerDNS${agree ? '' : `, but its DNS answers ${dns?.values.join(', ') || '(none)'}`}`,
      facts: {
        record: this.r.record,
        type: this.r.type,
        values: a.values,
        ttl: a.ttl,
        destination,
        ...(dns ? { dnsValues: dns.values, dnsRcode: dns.rcode } : {}),
      },
    };
  }

  async current(ctx: OperationContext): Promise<string | undefined> {
    return destinationOf(this.r, (await this.apiRead(ctx)).values);
  }

  async switchTo(ctx: OperationContext, destination: string): Promise<EffectResult> {
    const value = valueFor(this.r, destination);
    const before = await this.apiRead(ctx);
    if (before.values.length === 1 && before.values[0] === value && before.ttl === this.r.ttl) {
      return {
        changed: false,
        detail: `${this.target} already points to ${destination} (${value})`,
        data: { destination, value, ttl: before.ttl },
      };
    }
    const content = this.r.type === 'CNAME' ? `${value}.` : value;
    const t0 = performance.now();
    await this.request(ctx, 'PATCH', this.zoneUrl, {
      rrsets: [
        {
          name: `${this.r.record}.`,
          type: this.r.type,
          ttl: this.r.ttl,
          changetype: 'REPLACE',
          records: [{ content, disabled: false }],
        },
      ],
    });
    const updateMs = Math.round((performance.now() - t0) * 10) / 10;
    const seen = await waitVisible(ctx, () => this.read(ctx), this.r, value);
    return {
      changed: true,
      detail: `${this.target} → ${value} (${destination}) through the PowerDNS API, visible ${this.server ? `at ${this.server.host}:${this.server.port}` : 'in the API'} in ${seen.ms} ms; ${ttlNotice(seen.ttl, before.values)}`,
      data: {
        from: destinationOf(this.r, before.values),
        previous: before.values,
        destination,
        value,
        ttl: seen.ttl,
        updateMs,
        visibleMs: seen.ms,
      },
    };
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 200);
}
