// A small stand-in for `lifeboat serve` for the dashboard's browser test: the built dashboard
// (dist/web/) and /api/v1 answering fixture JSON, with a session cookie, a CSRF token checked on
// every unsafe request, and an SSE stream the test pushes events into.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type {
  ApiError,
  ControllerEvent,
  PlanStatus,
  RunDetail,
  SequencedEvent,
  ServiceStatus,
  Whoami,
} from '../../src/server/api-types.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/server.js';
import { applyJournalEntry } from '../../web/src/lib/run-state.js';
import * as fx from './fixtures.js';

/** The server's own policy: the dashboard must work under it. */
const CSP = CONTENT_SECURITY_POLICY;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

export const TOKENS: Record<string, { name: string; role: Whoami['role'] }> = {
  'approver-token': { name: 'alice', role: 'approver' },
  'viewer-token': { name: 'victor', role: 'viewer' },
};

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export class MockApi {
  readonly requests: Recorded[] = [];
  services: ServiceStatus[] = fx.services();
  run: RunDetail = fx.runDetail();
  planStatus: PlanStatus = fx.planStatus();
  /** Runs/:id GETs: the test checks that a gap makes the page refetch. */
  runFetches = 0;
  private sessions = new Map<string, Whoami & { csrfToken: string }>();
  private clients = new Set<ServerResponse>();
  private events: SequencedEvent[] = [];
  private nextId = 1;
  private server: Server | undefined;

  constructor(private readonly webRoot: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.end();
    this.clients.clear();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Sends one controller event to every open stream (and keeps it for Last-Event-ID). */
  push(event: ControllerEvent, opts: { skipIds?: number } = {}): SequencedEvent {
    this.nextId += opts.skipIds ?? 0;
    const e: SequencedEvent = { id: this.nextId++, at: new Date().toISOString(), event };
    this.events.push(e);
    for (const c of this.clients) c.write(frame(e));
    return e;
  }

  /** The server's own `gap` event: a resumed stream missed events it no longer holds. */
  gap(): void {
    for (const c of this.clients)
      c.write(`event: gap\ndata: ${JSON.stringify({ after: this.nextId - 1 })}\n\n`);
  }

  get sseClients(): number {
    return this.clients.size;
  }

  /**
   * Appends a journal entry to the mock run (folded as the server folds it) and streams it;
   * `silent` keeps it from the stream, as if the client had missed it.
   */
  journal(
    stepId: string | null,
    phase: string,
    data: Record<string, unknown> = {},
    opts: { silent?: boolean } = {},
  ): void {
    const seq = this.run.journalSeq + 1;
    const entry = { runId: this.run.id, seq, at: Date.now(), stepId, phase, token: 1, data };
    this.run = applyJournalEntry(this.run, entry).run;
    if (opts.silent) this.nextId += 1;
    else this.push({ type: 'journal', runId: this.run.id, entry: entry as never });
  }

  /** The run changes state (and says so on the stream). */
  runState(state: RunDetail['state'], failure?: RunDetail['failure']): void {
    this.run = {
      ...this.run,
      state,
      ...(failure ? { failure } : {}),
      ...(state !== 'waiting-approval' && state !== 'running' ? { waiting: undefined } : {}),
    };
    this.push({
      type: 'run',
      runId: this.run.id,
      service: this.run.service,
      runbook: this.run.runbook,
      state: state as never,
      message: '',
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (!path.startsWith('/api/')) return this.serveStatic(path, res);
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    const api = path.slice('/api/v1/'.length);

    if (api === 'session/login' && req.method === 'POST') {
      const who = TOKENS[(body as { token?: string })?.token ?? ''];
      if (!who)
        return error(
          res,
          401,
          'LB_E_SERVER_TOKEN',
          'this token is not known',
          'create one with lifeboat token create',
        );
      const sid = randomBytes(16).toString('hex');
      const session = { ...who, csrfToken: randomBytes(16).toString('hex') };
      this.sessions.set(sid, session);
      res.setHeader('set-cookie', `lb_session=${sid}; HttpOnly; SameSite=Strict; Path=/`);
      return json(res, 200, session);
    }
    const session = this.sessions.get(cookie(req, 'lb_session') ?? '');
    if (!session) return error(res, 401, 'LB_E_SERVER_UNAUTHENTICATED', 'sign in first');
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrfToken) {
      return error(res, 403, 'LB_E_SERVER_CSRF', 'missing or wrong x-csrf-token');
    }
    if (api === 'session/whoami') return json(res, 200, session);
    if (api === 'session/logout') return json(res, 200, { ok: true });
    if (api === 'events') return this.openStream(req, res);
    if (api === 'plan') return json(res, 200, fx.PLAN_JSON);
    if (api === 'plan/status') return json(res, 200, this.planStatus);
    if (api === 'plan/document')
      return json(res, 200, { markdown: fx.PLAN_MARKDOWN, svg: fx.PLAN_SVG });
    if (api === 'services') return json(res, 200, this.services);
    if (api === 'runs') return json(res, 200, [fx.runSummary(this.run)]);
    if (api === 'audit') return json(res, 200, fx.audit());
    if (api === 'audit/verify') {
      return json(res, 200, {
        ok: true,
        checked: 25,
        head: { seq: 25, hash: 'h' },
        recorded: { seq: 25, hash: 'h' },
      });
    }
    const svc = /^services\/([^/]+)(?:\/(probes|rpo|runs))?$/.exec(api);
    if (svc) {
      const name = decodeURIComponent(svc[1] as string);
      const s = this.services.find((x) => x.name === name);
      if (!s) return error(res, 404, 'LB_E_SERVER_NOT_FOUND', `no service ${name}`);
      if (svc[2] === 'probes') return json(res, 200, fx.probes(name));
      if (svc[2] === 'rpo') return json(res, 200, fx.rpoHistory(name));
      if (svc[2] === 'runs')
        return json(res, 200, name === 'app-db' ? [fx.runSummary(this.run)] : []);
      return json(res, 200, s);
    }
    const run = /^runs\/([^/]+)(?:\/(approve|abort))?$/.exec(api);
    if (run && decodeURIComponent(run[1] as string) === this.run.id) {
      if (!run[2]) {
        this.runFetches += 1;
        return json(res, 200, this.run);
      }
      if (session.role !== 'approver' && session.role !== 'admin') {
        return error(res, 403, 'LB_E_SERVER_FORBIDDEN', 'needs the approver role');
      }
      return json(res, 200, { ok: true });
    }
    return error(res, 404, 'LB_E_SERVER_NOT_FOUND', `no route ${req.method} ${path}`);
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 500\n: connected\n\n');
    const last = Number(req.headers['last-event-id']);
    if (Number.isFinite(last)) for (const e of this.events) if (e.id > last) res.write(frame(e));
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  private serveStatic(path: string, res: ServerResponse): void {
    const rel = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, '');
    let file = join(this.webRoot, rel);
    try {
      if (!statSync(file).isFile()) file = join(this.webRoot, 'index.html');
    } catch {
      file = join(this.webRoot, 'index.html');
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
    });
    res.end(readFileSync(file));
  }
}

function frame(e: SequencedEvent): string {
  return `id: ${e.id}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function error(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  hint?: string,
): void {
  const body: ApiError = { code, message, ...(hint ? { hint } : {}) };
  json(res, status, body);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
