// The HTTP API of `lifeboat serve`: createServer, the OpenAPI document, and the token helpers the
// CLI uses (`lifeboat token create`). The dashboard imports only ./api-types.ts.
export type * from './api-types.js';
export { API_ROLES, SSE_GAP_EVENT } from './api-types.js';
export { isApiRole, newToken, TOKEN_PREFIX, tokenHash } from './auth.js';
export { openApiDocument } from './openapi.js';
export { API_PREFIX, ROUTES, type RouteSpec, SESSION_COOKIE } from './routes.js';
export {
  CONTENT_SECURITY_POLICY,
  createServer,
  type LifeboatServer,
  type ServerOptions,
} from './server.js';
