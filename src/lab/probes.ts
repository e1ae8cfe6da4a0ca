// Reaching the lab's addresses from inside a namespace. The lab's subnet exists only there, so a
// probe is a short Node script run with `ip netns exec`; its request arrives on stdin (headers
// may hold an API key, and argv is visible to every user).
import { connect } from 'node:net';
import { inNamespace, run } from './exec.js';

const PROBE_SCRIPT = `
const net = require('node:net');
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const q = JSON.parse(input);
  const done = (r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); };
  setTimeout(() => done({ ok: false, error: 'timeout' }), q.timeoutMs).unref();
  if (q.kind === 'tcp') {
    const s = net.connect({ host: q.host, port: q.port });
    s.on('connect', () => { s.destroy(); done({ ok: true }); });
    s.on('error', (e) => done({ ok: false, error: e.code || e.message }));
    return;
  }
  fetch(q.url, { method: q.method, headers: q.headers, body: q.body, signal: AbortSignal.timeout(q.timeoutMs) })
    .then(async (r) => done({ ok: true, status: r.status, body: await r.text() }))
    .catch((e) => done({ ok: false, error: String((e.cause && e.cause.code) || e.message) }));
});
`;

export interface ProbeResult {
  ok: boolean;
  status?: number;
  body?: string;
  error?: string;
}

async function probe(ns: string, query: Record<string, unknown>): Promise<ProbeResult> {
  const timeoutMs = Number(query.timeoutMs ?? 1000);
  const r = await run(inNamespace(ns, [process.execPath, '-e', PROBE_SCRIPT]), {
    input: JSON.stringify({ ...query, timeoutMs }),
    timeoutMs: timeoutMs + 5000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  try {
    return JSON.parse(r.stdout) as ProbeResult;
  } catch {
    return { ok: false, error: r.stderr.trim() || `probe exited ${r.code}` };
  }
}

/** Whether a TCP connection from inside `ns` to host:port is accepted within the time limit. */
export async function tcpOpen(ns: string, host: string, port: number, timeoutMs = 500) {
  return (await probe(ns, { kind: 'tcp', host, port, timeoutMs })).ok;
}

export interface HttpProbe {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** An HTTP request made from inside `ns`; `ok` is false only when no response arrived. */
export function httpRequest(ns: string, req: HttpProbe): Promise<ProbeResult> {
  return probe(ns, { kind: 'http', method: req.method ?? 'GET', ...req });
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
