// The lab's addresses (10.77.0.x) exist only inside its namespaces, and a Node process cannot
// change namespace: so a driver that speaks to them over the network runs in a child process
// started with `ip netns exec <ns>`, and this proxy forwards each call to it (JSON lines on
// stdio; secrets on stdin, never argv). Abort and errors cross the pipe: a LifeboatError comes
// back with its code and `retryable`. The child reports each call's duration (`lastMs`), so
// figures exclude the pipe.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LifeboatError } from '../../../../src/core/errors/index.js';
import { isErrorCode } from '../../../../src/core/errors/registry.js';
import type { Driver, EffectResult, OperationContext } from '../../../../src/drivers/driver.js';
import { Secret } from '../../../../src/drivers/secrets.js';

const HOST = join(import.meta.dirname, 'netns-host.ts');
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

interface Reply {
  id?: number;
  ok?: boolean;
  value?: unknown;
  ms?: number;
  init?: boolean;
  kind?: string;
  target?: string;
  methods?: string[];
  error?: {
    code?: string;
    message?: string;
    retryable?: boolean;
    details?: Record<string, unknown>;
  };
}

/** Secrets cross as {"$secret": value}: the host turns them back into Secret objects. */
function wire(v: unknown): unknown {
  if (v instanceof Secret) return { $secret: v.reveal(), ref: v.ref };
  if (Array.isArray(v)) return v.map(wire);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)]));
  return v;
}

function toError(e: NonNullable<Reply['error']>): Error {
  if (e.code && isErrorCode(e.code)) {
    return new LifeboatError(e.code, e.message ?? '', {
      retryable: e.retryable,
      ...(e.details ? { details: e.details } : {}),
    });
  }
  return new Error(e.message ?? 'remote driver failed');
}

/** The proxy: the methods the real driver has (capability guards hold), and the child's timing. */
export interface RemoteDriver extends Driver {
  current?(ctx: OperationContext): Promise<string | undefined>;
  switchTo?(
    ctx: OperationContext,
    destination: string,
    opts?: { force?: boolean },
  ): Promise<EffectResult>;
  setReadOnly?(ctx: OperationContext, readOnly: boolean): Promise<EffectResult>;
  /** Duration of the last call as measured inside the namespace. */
  lastMs: number;
  /** Ends the child process. */
  dispose(): void;
}

/**
 * Starts `new <exportName>(config)` from `modulePath` (relative to the repository) inside `ns`.
 * The returned object has exactly the methods the real driver has, so capability guards hold.
 */
export async function netnsDriver(
  ns: string,
  modulePath: string,
  exportName: string,
  config: unknown,
): Promise<RemoteDriver> {
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', HOST],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const pending = new Map<number, (r: Reply) => void>();
  let onInit: ((r: Reply) => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const r = JSON.parse(line) as Reply;
    if (r.init !== undefined) onInit?.(r);
    else if (r.id !== undefined) pending.get(r.id)?.(r);
  });
  const exited = new Promise<Reply>((resolve) =>
    child.on('exit', (code) => resolve({ ok: false, error: { message: `host exited ${code}` } })),
  );
  const send = (m: unknown) => child.stdin!.write(`${JSON.stringify(m)}\n`);
  send({ init: { module: join(ROOT, modulePath), export: exportName, config: wire(config) } });
  const init = await Promise.race([
    new Promise<Reply>((resolve) => {
      onInit = resolve;
    }),
    exited,
  ]);
  if (!init.init) {
    child.kill('SIGKILL');
    throw init.error ? toError(init.error) : new Error('the driver host did not start');
  }
  let nextId = 1;
  const remote: RemoteDriver = {
    kind: init.kind ?? '?',
    target: init.target ?? '?',
    lastMs: 0,
    dispose: () => {
      child.stdin?.end();
      child.kill('SIGTERM');
    },
    observe: undefined as never,
  };
  const methods = remote as unknown as Record<string, unknown>;
  for (const method of init.methods ?? []) {
    methods[method] = async (ctx: OperationContext, ...args: unknown[]) => {
      const id = nextId++;
      const onAbort = () => send({ abort: id });
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        const reply = await Promise.race([
          new Promise<Reply>((resolve) => {
            pending.set(id, resolve);
            send({ id, method, args: wire(args), aborted: ctx.signal.aborted });
          }),
          exited,
        ]);
        remote.lastMs = reply.ms ?? 0;
        if (!reply.ok) throw toError(reply.error ?? {});
        return reply.value;
      } finally {
        pending.delete(id);
        ctx.signal.removeEventListener('abort', onAbort);
      }
    };
  }
  const remoteClose = remote.close as ((ctx: OperationContext) => Promise<void>) | undefined;
  remote.close = async () => {
    try {
      await remoteClose?.({ signal: AbortSignal.timeout(5000) });
    } finally {
      remote.dispose();
    }
  };
  return remote;
}
