// The controller: the daemon's brain (probes, outages, policies, RPO, events), without HTTP.
export { type Clock, ManualClock, settle, systemClock } from './clock.js';
export { Controller, type ControllerDrivers, type ControllerOptions } from './controller.js';
export { type LeaseAnswer, LeaseBook, type LeaseKey, type LeaseTerms } from './leases.js';
export * from './model.js';
export {
  type DeliveryOutcome,
  type DeliveryRequest,
  type Notification,
  type NotificationKind,
  type NotificationSender,
  Notifier,
  type NotifierOptions,
  type NotifierStats,
  type WebhookStats,
} from './notifier.js';
