// The CLI exits promptly once a run's outcome is printed, also when a node was unreachable: the
// drivers' close() (the session's drivers.close()) abandons a connection still being opened. A
// child process reads a database through the driver, gives up at 400 ms (the caller's deadline,
// as the engine does with a partitioned node), closes the driver, prints its last line; the test
// measures from that line to the child's exit. The server accepts TCP and never answers (a
// half-partitioned node): before, the connect stayed pending until its 3 s timeout (2.6 s after
// the last line); now the process ends within milliseconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../../src');
const dir = mkdtempSync(join(tmpdir(), 'lifeboat-exit-'));
const held: Socket[] = [];
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((s) => {
    held.push(s); // accepted, never answered
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function script(kind: 'postgres' | 'mariadb'): string {
  const file = join(dir, `${kind}.mts`);
  const cls = kind === 'postgres' ? 'PostgresDriver' : 'MariadbDriver';
  writeFileSync(
    file,
    `import { ${cls} } from ${JSON.stringify(`${SRC}/drivers/${kind}/index.js`)};
const d = new ${cls}({ node: 'a', host: '127.0.0.1', port: ${port}, user: 'x', address: '127.0.0.1', connectTimeoutMs: 3000 });
try { await d.replicationState({ signal: AbortSignal.timeout(400) }); } catch (e) { console.log('failed: ' + e.code); }
await d.close();
console.log('outcome printed');
`,
  );
  return file;
}

/** Milliseconds from the child's last line to its exit. */
function lingerAfterLastLine(file: string): Promise<{ ms: number; out: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let last = 0;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('outcome printed')) last ||= performance.now();
    });
    child.on('error', rej);
    child.on('exit', () => res({ ms: Math.round(performance.now() - last), out }));
  });
}

describe('the process exits once the outcome is printed (a node that does not answer)', () => {
  for (const kind of ['postgres', 'mariadb'] as const) {
    it(`${kind}: a connect still pending when the driver closes is abandoned`, async () => {
      const r = await lingerAfterLastLine(script(kind));
      expect(r.out).toContain('failed: LB_E_DRIVER_ABORTED');
      expect(r.out).toContain('outcome printed');
      expect(r.ms).toBeLessThan(1000); // was 2600 (the rest of the 3 s connect timeout)
    }, 20_000);
  }
});
