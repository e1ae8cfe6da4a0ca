// Child side of netns-driver.ts: runs inside a lab namespace (`ip netns exec`), builds one driver
// from the config it reads on stdin and serves its methods as JSON lines. Secrets arrive on stdin
// as {"$secret": value, "ref": ...} and become Secret objects again here.
import { createInterface } from 'node:readline';
import { Secret } from '../../../../src/drivers/secrets.js';

type Msg =
  | { init: { module: string; export: string; config: unknown } }
  | { id: number; method: string; args: unknown[]; aborted?: boolean }
  | { abort: number };

function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$secret === 'string') return new Secret(o.$secret, String(o.ref ?? 'test'));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
  }
  return v;
}

const send = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);
let driver: Record<string, (...a: unknown[]) => Promise<unknown>> | undefined;
const running = new Map<number, AbortController>();

async function call(m: { id: number; method: string; args: unknown[]; aborted?: boolean }) {
  const ac = new AbortController();
  running.set(m.id, ac);
  if (m.aborted) ac.abort(new Error('aborted before the call'));
  const t0 = performance.now();
  try {
    const fn = driver?.[m.method];
    if (!fn) throw new Error(`no method ${m.method}`);
    const value = await fn.call(driver, { signal: ac.signal }, ...m.args);
    send({ id: m.id, ok: true, value, ms: performance.now() - t0 });
  } catch (e) {
    const err = e as { code?: string; message?: string; retryable?: boolean; details?: unknown };
    send({
      id: m.id,
      ok: false,
      ms: performance.now() - t0,
      error: {
        code: err.code,
        message: err.message,
        retryable: err.retryable,
        details: err.details,
      },
    });
  } finally {
    running.delete(m.id);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const m = JSON.parse(line) as Msg;
  if ('init' in m) {
    void import(m.init.module).then(
      (mod: Record<string, new (c: unknown) => typeof driver>) => {
        const Ctor = mod[m.init.export];
        if (!Ctor) throw new Error(`${m.init.module} has no export ${m.init.export}`);
        try {
          driver = new Ctor(revive(m.init.config));
        } catch (e) {
          const err = e as { code?: string; message?: string };
          send({ init: false, error: { code: err.code, message: err.message } });
          return;
        }
        const d = driver as unknown as { kind: string; target: string };
        const methods = ['observe', 'current', 'switchTo', 'setReadOnly', 'close'].filter(
          (k) => typeof (driver as unknown as Record<string, unknown>)[k] === 'function',
        );
        send({ init: true, kind: d.kind, target: d.target, methods });
      },
      (e: Error) => send({ init: false, error: { message: e.message } }),
    );
  } else if ('abort' in m) {
    running.get(m.abort)?.abort(new Error('aborted'));
  } else {
    void call(m);
  }
});
rl.on('close', () => process.exit(0));
