// HTTP probe: a GET whose status (and optionally body) says healthy or not, with its latency.
// Redirects are not followed unless configured (a 302 to a login page is not "healthy"); a URL
// with credentials is refused (they would end up in logs and the journal); the body read is capped.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LifeboatError } from '../../core/errors/index.js';
import type { OperationContext, ProbeResult, Probing } from '../driver.js';
import { safeHost, safeName } from '../safe-values.js';
import {
  aborted,
  type CheckOutcome,
  describeNetError,
  limitSignal,
  observation,
  positiveMs,
} from './common.js';

export interface HttpProbeConfig {
  name: string;
  /** http(s) URL without credentials (the plan's `url`). */
  url: string;
  /** Default 200. */
  expectStatus?: number;
  /** Text the body must contain. */
  bodyMatch?: string;
  /** Default 2000 ms. */
  timeoutMs?: number;
  /** Redirects to follow (default 0: a 3xx is checked against expectStatus as is). */
  followRedirects?: number;
  /** Bytes of body read for bodyMatch (default 64 KiB). */
  maxBodyBytes?: number;
  /** For https: accept a self-signed certificate of a lab (default false). */
  insecureTls?: boolean;
}

/** Parses and checks a probe URL; refuses credentials, other schemes and odd characters. */
export function probeUrl(text: string, what: string): URL {
  if (/[\0-\x20\x7f]/.test(text)) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what}: the URL contains blanks or control characters`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what}: '${text.slice(0, 100)}' is not a URL`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what}: only http and https URLs can be probed`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what}: the URL carries credentials; Lifeboat never sends credentials in URLs`,
    );
  }
  safeHost(url.hostname.replace(/^\[|\]$/g, ''), `${what}: host`);
  return url;
}

interface Response {
  status: number;
  location?: string;
  body: string;
}

export class HttpProbe implements Probing {
  readonly kind = 'probe';
  readonly target: string;
  readonly #url: URL;
  readonly #c: HttpProbeConfig;
  readonly #timeoutMs: number;

  constructor(c: HttpProbeConfig) {
    this.target = safeName(c.name, 'probe name');
    this.#url = probeUrl(c.url, `probe ${c.name}`);
    this.#timeoutMs = positiveMs(c.timeoutMs, 2000, `probe ${c.name}: timeout`);
    const s = c.expectStatus ?? 200;
    if (!Number.isInteger(s) || s < 100 || s > 599) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `probe ${c.name}: expectStatus must be 100-599`,
      );
    }
    const r = c.followRedirects ?? 0;
    if (!Number.isInteger(r) || r < 0 || r > 10) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `probe ${c.name}: followRedirects must be 0-10`,
      );
    }
    this.#c = c;
  }

  async check(ctx: OperationContext): Promise<CheckOutcome> {
    if (ctx.signal.aborted) throw aborted(`probe ${this.target}`);
    const signal = limitSignal(ctx, this.#timeoutMs);
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 10) / 10;
    const expect = this.#c.expectStatus ?? 200;
    let url = this.#url;
    let res: Response;
    try {
      for (let hop = 0; ; hop++) {
        res = await this.#get(url, signal);
        const redirect = res.status >= 300 && res.status < 400 && res.location !== undefined;
        if (!redirect || hop >= (this.#c.followRedirects ?? 0)) break;
        url = probeUrl(
          new URL(res.location as string, url).toString(),
          `probe ${this.target}: redirect`,
        );
      }
    } catch (e) {
      if (ctx.signal.aborted) throw aborted(`probe ${this.target}`);
      if (e instanceof LifeboatError)
        return { ok: false, reached: true, latencyMs: ms(), detail: e.message };
      return {
        ok: false,
        reached: false,
        latencyMs: ms(),
        detail: describeNetError(e, this.#timeoutMs, signal.aborted),
      };
    }
    const latencyMs = ms();
    const facts = { url: this.#url.toString(), status: res.status };
    if (res.status !== expect) {
      return {
        ok: false,
        reached: true,
        latencyMs,
        detail: `HTTP ${res.status}, expected ${expect}`,
        facts,
      };
    }
    if (this.#c.bodyMatch !== undefined && !res.body.includes(this.#c.bodyMatch)) {
      return {
        ok: false,
        reached: true,
        latencyMs,
        detail: `HTTP ${res.status} but the body does not contain the expected text`,
        facts,
      };
    }
    return {
      ok: true,
      reached: true,
      latencyMs,
      detail: `HTTP ${res.status} in ${latencyMs} ms`,
      facts,
    };
  }

  #get(url: URL, signal: AbortSignal): Promise<Response> {
    const max = this.#c.maxBodyBytes ?? 64 << 10;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'GET',
          signal,
          headers: { 'user-agent': 'lifeboat-probe', accept: '*/*' },
          ...(url.protocol === 'https:' && this.#c.insecureTls
            ? { rejectUnauthorized: false }
            : {}),
        },
        (res: IncomingMessage) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (body.length < max) body += d;
            if (body.length >= max) res.destroy(); // enough to judge; do not read a huge page
          });
          const finish = () =>
            resolve({
              status: res.statusCode ?? 0,
              body: body.slice(0, max),
              ...(res.headers.location ? { location: res.headers.location } : {}),
            });
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  async probe(ctx: OperationContext): Promise<ProbeResult> {
    const { ok, latencyMs, detail } = await this.check(ctx);
    return { ok, latencyMs, detail };
  }

  async observe(ctx: OperationContext) {
    return observation(`http ${this.#url.host}`, await this.check(ctx));
  }
}
