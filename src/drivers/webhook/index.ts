// Webhooks: the bodies (json, slack, matrix) and one safe delivery (see send.ts).
export * from './body.js';
export * from './send.js';
