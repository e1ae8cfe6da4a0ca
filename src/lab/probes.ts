// Reaching the lab's addresses from inside a namespace. The lab's subnet exists only there, so a
// probe is a small client run with `ip netns exec`: socat for TCP, curl for HTTP (tens of ms,
// where a Node start costs hundreds on a loaded 2-core machine). Request headers and bodies go
// to curl on stdin (`-K -`): an API key in argv would be visible to every user.
import { connect } from 'node:net';
import { inNamespace, run } from './exec.js';

export interface ProbeResult {
  ok: boolean;
  status?: number;
  body?: string;
  error?: string;
}

/** Whether a TCP connection from inside `ns` to host:port is accepted within the time limit. */
export async function tcpOpen(ns: string, host: string, port: number, timeoutMs = 500) {
  const r = await run(
    inNamespace(ns, [
      'socat',
      '-u',
      'OPEN:/dev/null',
      `TCP:${host}:${port},connect-timeout=${timeoutMs / 1000}`,
    ]),
    { timeoutMs: timeoutMs + 5000 },
  );
  return r.code === 0;
}

export interface HttpProbe {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** A value in curl's config-file syntax: quoted, with its escapes. Pure. */
export function curlQuote(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/** curl's config for a request (headers and body stay off the command line). Pure. */
export function renderCurlConfig(req: HttpProbe): string {
  const lines = [`url = ${curlQuote(req.url)}`, `request = ${curlQuote(req.method ?? 'GET')}`];
  for (const [k, v] of Object.entries(req.headers ?? {}))
    lines.push(`header = ${curlQuote(`${k}: ${v}`)}`);
  // data-raw, not data-binary: a body starting with @ must not make curl read a file.
  if (req.body !== undefined) lines.push(`data-raw = ${curlQuote(req.body)}`);
  return `${lines.join('\n')}\n`;
}

const CURL_ERRORS: Record<number, string> = {
  7: 'ECONNREFUSED',
  28: 'timeout',
  52: 'empty reply',
  56: 'ECONNRESET',
};

/** An HTTP request made from inside `ns`; `ok` is false only when no response arrived. */
export async function httpRequest(ns: string, req: HttpProbe): Promise<ProbeResult> {
  const timeoutMs = req.timeoutMs ?? 1000;
  const r = await run(
    inNamespace(ns, [
      'curl',
      ...['-sS', '-K', '-', '-o', '-', '-w', '\n%{http_code}'],
      ...['--max-time', String(timeoutMs / 1000), '--noproxy', '*'],
    ]),
    { input: renderCurlConfig(req), timeoutMs: timeoutMs + 5000 },
  );
  if (r.code !== 0)
    return {
      ok: false,
      error: CURL_ERRORS[r.code ?? -1] ?? (r.stderr.trim() || `curl exited ${r.code}`),
    };
  const cut = r.stdout.lastIndexOf('\n');
  return { ok: true, status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
}

/**
 * Connects to a Unix socket (reachable from any namespace: sockets live in the file system),
 * writes `line` if given, and resolves with the first `untilBytes` of what comes back, or
 * everything until the peer closes.
 */
export function unixExchange(
  path: string,
  line: string | undefined,
  opts: { timeoutMs?: number; untilBytes?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ path });
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer on ${path} within ${opts.timeoutMs ?? 2000} ms`));
    }, opts.timeoutMs ?? 2000);
    s.on('connect', () => {
      if (line !== undefined) s.write(line.endsWith('\n') ? line : `${line}\n`);
    });
    s.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (opts.untilBytes !== undefined && data.length >= opts.untilBytes) {
        clearTimeout(timer);
        s.destroy();
        resolve(data);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}
