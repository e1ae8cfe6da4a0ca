// The OpenAPI 3.1 document, generated from the route table (src/server/routes.ts): paths,
// parameters, bodies, answers and the role each route needs. Schemas with a `title` become
// components. Written to docs/openapi.json by scripts/gen.ts (drift-checked in CI) and served at
// GET /api/v1/openapi.json.
import { API_ROLES } from './api-types.js';
import { ROUTES, type RouteSpec, SESSION_COOKIE } from './routes.js';
import type { JsonSchema } from './schemas.js';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'The request does not match the schema (LB_E_SERVER_BAD_REQUEST) or the plan refuses it.',
  401: 'No valid token or session (LB_E_SERVER_UNAUTHENTICATED).',
  403: 'Role too low, CSRF token missing or wrong, or a cross-origin request.',
  404: 'No such service or run.',
  409: 'The engine or the store refuses in the current state (busy, ended, past the point of no return, ...).',
  429: 'Too many failed logins from this address (Retry-After says how long to wait).',
};

type Mutable = { [key: string]: unknown };

function isObject(v: unknown): v is Mutable {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Replaces every titled schema below `schema` (itself included) by a $ref to a component. */
function hoist(schema: unknown, components: Map<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => hoist(s, components));
  if (!isObject(schema)) return schema;
  const out: Mutable = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && isObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, hoist(s, components)]));
    } else if (['items', 'additionalProperties', 'not'].includes(k) && isObject(v)) {
      out[k] = hoist(v, components);
    } else if (['anyOf', 'oneOf', 'allOf'].includes(k) && Array.isArray(v)) {
      out[k] = v.map((s) => hoist(s, components));
    } else out[k] = v;
  }
  const title = schema.title;
  if (typeof title !== 'string') return out;
  const known = components.get(title);
  if (known !== undefined && JSON.stringify(known) !== JSON.stringify(out)) {
    throw new Error(`two different schemas are titled ${title}`);
  }
  components.set(title, out);
  return { $ref: `#/components/schemas/${title}` };
}

const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(route: RouteSpec, components: Map<string, unknown>): unknown[] {
  const out: unknown[] = [];
  const add = (where: 'path' | 'query' | 'header', schema: JsonSchema | undefined) => {
    if (!schema) return;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries((schema.properties ?? {}) as Record<string, Mutable>)) {
      const { description, ...rest } = s;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: hoist(rest, components),
      });
    }
  };
  add('path', route.schema.params);
  add('query', route.schema.querystring);
  add('header', route.schema.headers);
  return out;
}

function operation(route: RouteSpec, components: Map<string, unknown>): Mutable {
  const responses: Mutable = {};
  for (const [code, schema] of Object.entries(route.schema.response)) {
    const status = Number(code);
    const media = status < 300 && route.produces ? route.produces : 'application/json';
    responses[code] = {
      description: STATUS_TEXT[status] ?? `HTTP ${status}`,
      content: { [media]: { schema: hoist(schema, components) } },
      ...(status === 429
        ? {
            headers: {
              'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' },
            },
          }
        : {}),
    };
  }
  const open = route.access === 'public' || route.access === 'login';
  const params = parameters(route, components);
  return {
    operationId: `${route.method.toLowerCase()}${openApiPath(route.url)
      .replace(/^\/api\/v1/, '')
      .split(/[/{}.]+/)
      .filter(Boolean)
      .map((w) =>
        w.replace(/^\w/, (c) => c.toUpperCase()).replace(/-(\w)/g, (_, c) => c.toUpperCase()),
      )
      .join('')}`,
    summary: route.summary,
    tags: [route.tag],
    'x-lifeboat-role': route.access,
    ...(open ? { security: [] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.schema.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: hoist(route.schema.body, components) } },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly RouteSpec[] = ROUTES): unknown {
  const components = new Map<string, unknown>();
  const paths: Record<string, Mutable> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    (paths[path] as Mutable)[route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lifeboat API',
      version: 'v1',
      description: `The HTTP API of \`lifeboat serve\` (docs/api.md). Every route but /healthz needs a token (\`Authorization: Bearer lbt_...\`) or the dashboard's session cookie; roles, each including the ones before: ${API_ROLES.join(' < ')}. Unsafe requests with the cookie need \`x-csrf-token\` and a same-origin \`Origin\`. Errors are ApiError bodies with a registered code (docs/errors.md).`,
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from `lifeboat token create`.',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            'Set by POST /api/v1/session/login; unsafe requests also need `x-csrf-token`.',
        },
      },
      schemas: Object.fromEntries([...components].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
