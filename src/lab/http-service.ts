// A small HTTP service at each site, behind HAProxy: GET answers, PUT/POST store a body, so
// that a read-only switch (HAProxy's ro.map) can be shown to refuse writes and keep reads.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent, LabContext } from './context.js';
import type { LabPaths } from './paths.js';
import { httpRequest } from './probes.js';
import { ADDRESSES, PORTS, type ServerSpec, type Site, serversOf } from './topology.js';
import { waitFor } from './wait.js';

/** The service, run by plain `node` as `nobody`: no dependency, in memory, one file. */
export const HTTP_SERVICE_SOURCE = `// Written by lifeboat lab. Usage: node server.mjs SITE PORT
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
const [site, port, versionFile] = process.argv.slice(2);
// The deployed version: what an upgrade playbook writes (the lab's stand-in for a new release).
const version = () => { try { return readFileSync(versionFile, 'utf8').trim(); } catch { return '1'; } };
const store = new Map();
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => { if (body.length < 1 << 20) body += d; });
  req.on('end', () => {
    const send = (code, obj) => {
      res.writeHead(code, { 'content-type': 'application/json', 'x-lab-site': site });
      res.end(JSON.stringify({ site, ...obj }) + '\\n');
    };
    const path = req.url ?? '/';
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/' || path === '/health') return send(200, { ok: true, version: version() });
      if (path === '/version') return send(200, { version: version() });
      return store.has(path) ? send(200, { path, value: store.get(path) }) : send(404, { path });
    }
    if (req.method === 'PUT' || req.method === 'POST') {
      store.set(path, body);
      return send(req.method === 'POST' ? 201 : 200, { path, stored: body.length });
    }
    if (req.method === 'DELETE') return send(200, { path, deleted: store.delete(path) });
    send(405, { error: 'method not allowed' });
  });
});
server.listen(Number(port), '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export function httpPaths(paths: LabPaths) {
  const dir = paths.component('http');
  return {
    dir,
    script: join(dir, 'server.mjs'),
    /** The version a site serves (`1` when absent): examples/lab/playbooks/upgrade-web.yml writes it. */
    version: (site: Site) => join(dir, `${site}.version`),
  };
}

export function httpUrl(site: Site): string {
  return `http://${ADDRESSES[site]}:${PORTS.http}`;
}

async function start(ctx: LabContext, s: ServerSpec): Promise<void> {
  if (ctx.isRunning(s)) return;
  const site = s.place as Site;
  const d = ctx.launch(s, [
    process.execPath,
    httpPaths(ctx.paths).script,
    site,
    String(PORTS.http),
    httpPaths(ctx.paths).version(site),
  ]);
  await waitFor(
    async () => (await httpRequest(ctx.ns.wan, { url: `${httpUrl(site)}/health` })).status === 200,
    {
      what: `${s.name} to answer GET /health`,
      log: ctx.paths.log(s.name),
      timeoutMs: 20_000,
      exited: d.exited,
    },
  );
}

export const httpService: LabComponent = {
  name: 'http',
  async up(ctx) {
    const p = httpPaths(ctx.paths);
    await ctx.mkdirFor(p.dir, 'root', 0o755);
    writeFileSync(p.script, HTTP_SERVICE_SOURCE, { mode: 0o644 });
    await Promise.all(serversOf('http').map((s) => start(ctx, s)));
  },
};
