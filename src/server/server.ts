// createServer: the Fastify app of `lifeboat serve`. Registers the route table (src/server/
// routes.ts) behind one authentication hook: every route but /healthz needs a bearer token or
// the dashboard's session cookie, the role the route names, and for unsafe requests a same-origin
// Origin (and with the cookie, the session's CSRF token). Serves the built dashboard when there
// is one. Errors are ApiError bodies; secrets (tokens, cookies) never reach the log.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { LeaseBook } from '../controller/leases.js';
import type { ControllerView } from '../controller/model.js';
import type { NotifierStats } from '../controller/notifier.js';
import type { TokenStore } from '../store/index.js';
import {
  cookieValue,
  FailureLimiter,
  type Identity,
  roleAtLeast,
  Sessions,
  safeEqual,
  verifyToken,
} from './auth.js';
import { errorAnswer, forbidden, HttpError, notFound, unauthenticated } from './errors.js';
import { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import {
  API_PREFIX,
  ROUTES,
  type RouteAccess,
  type RouteContext,
  SESSION_COOKIE,
} from './routes.js';
import { SseHub } from './sse.js';

export interface ServerOptions {
  controller: ControllerView;
  /** Where tokens are checked; default the controller's state store. */
  tokens?: TokenStore;
  /** Serve over TLS (and mark the session cookie Secure). PEM key and certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Mark the session cookie Secure although this server speaks plain HTTP (TLS ends at a proxy). */
  secureCookies?: boolean;
  /** Origins besides the server's own host allowed to make unsafe requests (`https://ops.example`). */
  allowedOrigins?: readonly string[];
  /** The built dashboard (index.html and assets), served at `/` when the directory exists. */
  webRoot?: string;
  /** Fastify's logger (pino options), or false. Authorization and Cookie headers are redacted. */
  logger?: boolean | Record<string, unknown>;
  /** Trust X-Forwarded-For for the client address (only behind a proxy you run). */
  trustProxy?: boolean;
  now?: () => number;
  /** Absolute lifetime of a dashboard session. Default 8 h. */
  sessionTtlMs?: number;
  /** Failed logins allowed per client address per window. Default 5 per 60 s. */
  loginLimit?: { failures: number; windowMs: number };
  sse?: { heartbeatMs?: number; maxBufferBytes?: number; retryMs?: number };
  /** The webhook notifier's counts, exported as metrics (lifeboat serve passes it). */
  notifications?: () => NotifierStats;
  /** The fence leases the nodes' agents renew (POST /api/v1/leases/:node/renew). */
  leases?: LeaseBook;
}

/** The dashboard's Content-Security-Policy: its own scripts, styles and API only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How often "last used" of a token is written at most (one write per token per minute). */
const TOUCH_EVERY_MS = 60_000;

const isApiPath = (url: string) =>
  url.startsWith('/api/') || url === '/api' || url.startsWith('/metrics');

export interface LifeboatServer extends FastifyInstance {
  /** Every route registered (method and URL), the static ones included: tests walk them. */
  readonly registered: readonly { method: string; url: string }[];
}

export async function createServer(options: ServerOptions): Promise<LifeboatServer> {
  const { controller } = options;
  const now = options.now ?? Date.now;
  const tokens = options.tokens ?? controller.store.tokens;
  const sessionTtlMs = options.sessionTtlMs ?? 8 * 3600_000;
  const limit = options.loginLimit ?? { failures: 5, windowMs: 60_000 };
  const sse = new SseHub(controller, {
    heartbeatMs: options.sse?.heartbeatMs ?? 15_000,
    maxBufferBytes: options.sse?.maxBufferBytes ?? 1024 * 1024,
    retryMs: options.sse?.retryMs ?? 3_000,
  });
  // Loaded when a server is made, not with the module: the CLI bundles this module, and its
  // other commands should not pay for loading Fastify and prom-client.
  const [{ default: Fastify }, { default: fastifyStatic }, prom] = await Promise.all([
    import('fastify'),
    import('@fastify/static'),
    import('prom-client'),
  ]);
  const metrics = new ApiMetrics(
    prom,
    controller,
    () => ({ clients: sse.clients, dropped: sse.dropped }),
    options.notifications,
    options.leases,
  );
  const openApi = openApiDocument();
  const ctx: RouteContext = {
    controller,
    leases: options.leases,
    tokens,
    sessions: new Sessions(sessionTtlMs, now),
    loginFailures: new FailureLimiter(limit.failures, limit.windowMs, now),
    sse,
    metrics,
    secureCookies: options.secureCookies ?? options.tls !== undefined,
    sessionTtlMs,
    openApi: () => openApi,
  };
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const touched = new Map<string, number>();

  const logger =
    options.logger === undefined || options.logger === false
      ? false
      : {
          ...(options.logger === true ? {} : options.logger),
          redact: {
            paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            censor: '[redacted]',
          },
        };
  const fastifyOptions: FastifyServerOptions & { https?: unknown } = {
    logger,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    return503OnClosing: true,
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
  };
  const app = Fastify(fastifyOptions as FastifyServerOptions) as unknown as FastifyInstance;
  const registered: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) registered.push({ method: m, url: r.url });
  });
  // Answers are plain JSON.stringify: a field the schema lacks is never dropped silently (the
  // tests validate answers against the schemas instead).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('identity', undefined);

  const sendError = (e: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const a = errorAnswer(e);
    if (a.internal) req.log.error({ err: e }, 'request failed');
    for (const [k, v] of Object.entries(a.headers)) reply.header(k, v);
    return reply.code(a.status).type('application/json').send(a.body);
  };
  app.setErrorHandler((e, req, reply) => sendError(e, req, reply));

  // Security headers on every answer; the CSP matters for the dashboard's pages.
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (isApiPath(req.url)) reply.header('cache-control', 'no-store');
    return payload;
  });

  const originOk = (req: FastifyRequest, required: boolean): boolean => {
    let origin = req.headers.origin;
    if (origin === undefined && typeof req.headers.referer === 'string') {
      try {
        origin = new URL(req.headers.referer).origin;
      } catch {
        return false;
      }
    }
    if (origin === undefined) return !required;
    if (allowedOrigins.has(origin)) return true;
    try {
      const u = new URL(origin);
      // Compared as URLs: `Host: example:80` and `Origin: http://example` are the same origin.
      const own = new URL(`${u.protocol}//${req.headers.host ?? ''}`);
      return u.origin !== 'null' && u.host === own.host;
    } catch {
      return false;
    }
  };

  const authenticate = async (req: FastifyRequest): Promise<Identity> => {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer +(\S+)\s*$/i.exec(auth);
      const record = m ? await verifyToken(tokens, m[1] as string) : undefined;
      if (!record) throw unauthenticated('unknown, revoked or malformed bearer token');
      return { name: record.name, role: record.role, via: 'bearer' };
    }
    const sid = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const session = sid ? ctx.sessions.get(sid) : undefined;
    if (!session) {
      throw unauthenticated(
        sid ? 'the session expired or ended: log in again' : 'authentication required',
      );
    }
    // The token behind the session must still exist: revoking it ends its sessions.
    if (!(await tokens.findByHash(session.tokenHash))) {
      ctx.sessions.delete(session.id);
      throw unauthenticated('the token of this session was revoked: log in again');
    }
    return { name: session.name, role: session.role, via: 'session', session };
  };

  app.addHook('onRequest', async (req) => {
    const configured = (req.routeOptions.config as { access?: RouteAccess } | undefined)?.access;
    // Routes outside the table (the dashboard's files, unknown paths) are open only outside the API.
    const access: RouteAccess = configured ?? (isApiPath(req.url) ? 'viewer' : 'public');
    if (access === 'public') return;
    const unsafe = !SAFE_METHODS.has(req.method);
    if (access === 'login') {
      if (unsafe && !originOk(req, false))
        throw new HttpError(403, 'LB_E_SERVER_ORIGIN', 'login from another origin refused');
      return;
    }
    const who = await authenticate(req);
    if (unsafe) {
      if (!originOk(req, who.via === 'session')) {
        throw new HttpError(
          403,
          'LB_E_SERVER_ORIGIN',
          `${req.method} from another origin (or without Origin and Referer) refused`,
        );
      }
      if (who.via === 'session') {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !who.session || !safeEqual(sent, who.session.csrfToken)) {
          throw new HttpError(
            403,
            'LB_E_SERVER_CSRF',
            sent === undefined
              ? 'x-csrf-token header missing'
              : 'x-csrf-token does not match the session',
          );
        }
      }
    }
    if (!roleAtLeast(who.role, access)) {
      throw forbidden(
        `${req.method} ${req.routeOptions.url ?? req.url} needs the ${access} role; ${who.name} is ${who.role}`,
      );
    }
    req.identity = who;
    if (who.via === 'bearer') {
      const t = now();
      if (t - (touched.get(who.name) ?? 0) >= TOUCH_EVERY_MS) {
        touched.set(who.name, t);
        tokens
          .touch(who.name, t)
          .catch((e: unknown) => req.log.warn({ err: e }, 'could not record token use'));
      }
    }
  });

  // A POST without a body is validated as `{}`: logout needs none, and the others then name the
  // field that is missing rather than "body must be object".
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && (req.body === undefined || req.body === null)) req.body = {};
  });

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      schema: route.schema,
      config: { access: route.access },
      exposeHeadRoute: false,
      handler: (req, reply) => route.handler(ctx, req, reply),
    });
  }

  const webRoot = options.webRoot;
  const hasWeb = webRoot !== undefined && existsSync(join(webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: ['index.html'],
      cacheControl: true,
      maxAge: 0,
    });
  }
  app.setNotFoundHandler((req, reply) => {
    // The dashboard routes on the client: a page path that is no file gets index.html.
    if (
      hasWeb &&
      req.method === 'GET' &&
      !isApiPath(req.url) &&
      !/\.[a-z0-9]+$/i.test(req.url.split('?')[0] ?? '')
    ) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return sendError(notFound(`no route ${req.method} ${req.url.split('?')[0]}`), req, reply);
  });

  metrics.start();
  app.addHook('preClose', async () => {
    sse.closeAll();
  });
  app.addHook('onClose', async () => {
    metrics.stop();
  });
  Object.defineProperty(app, 'registered', { value: registered });
  return app as LifeboatServer;
}

export { API_PREFIX };
