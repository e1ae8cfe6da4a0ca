export * from './code-info.js';
export * from './lifeboat-error.js';
export * from './registry.js';
