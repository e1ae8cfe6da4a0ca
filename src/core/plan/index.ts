export * from './cron.js';
export * from './diagnostic.js';
export * from './duration.js';
export * from './fence-lease.js';
export * from './load.js';
export * from './probe-site.js';
export * from './replication-job.js';
export * from './schema/plan.js';
export { DERIVED_STEPS, type DerivedStep } from './schema/steps.js';
