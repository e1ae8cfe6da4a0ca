// Notifications' composition: the controller's Notifier (src/controller/notifier.ts) with the
// webhook driver (src/drivers/webhook) behind its port. Secrets (header values, a secret path)
// are read for each delivery, at the last moment, and go only into the request.
import type {
  DeliveryOutcome,
  NotificationSender,
  NotifierOptions,
} from '../../controller/index.js';
import { Notifier } from '../../controller/index.js';
import { isLifeboatError } from '../../core/errors/index.js';
import { resolveSecret, type Secret } from '../../drivers/secrets.js';
import { type DeliveryOptions, deliverWebhook, webhookBody } from '../../drivers/webhook/index.js';

/** A sender that POSTs through the webhook driver; `delivery` tunes the driver (tests). */
export function webhookSender(
  delivery: Omit<DeliveryOptions, 'allowedHosts' | 'signal'> = {},
  env: NodeJS.ProcessEnv = process.env,
): NotificationSender {
  return {
    async deliver(req, signal): Promise<DeliveryOutcome> {
      let headers: Record<string, Secret>;
      let pathSecret: Secret | undefined;
      try {
        headers = Object.fromEntries(
          Object.entries(req.webhook.headers ?? {}).map(([k, ref]) => [k, resolveSecret(ref, env)]),
        );
        pathSecret =
          req.webhook.pathSecret !== undefined
            ? resolveSecret(req.webhook.pathSecret, env)
            : undefined;
      } catch (e) {
        return {
          ok: false,
          attempts: 0,
          code: 'LB_E_NOTIFY_SECRET',
          error: `webhook ${req.name}: ${isLifeboatError(e) ? e.message : 'a secret cannot be read'}`,
        };
      }
      const r = await deliverWebhook(
        {
          name: req.name,
          url: req.webhook.url,
          headers,
          ...(pathSecret ? { pathSecret } : {}),
        },
        webhookBody(req.webhook.format, req.notification),
        { ...delivery, allowedHosts: req.allowedHosts, signal },
      );
      return {
        ok: r.ok,
        attempts: r.attempts,
        ...(r.code !== undefined ? { code: r.code } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      };
    },
  };
}

/** The notifier of a controller, with the webhook driver; call `start()` and, on exit, `stop()`. */
export function createNotifier(
  view: NotifierOptions['view'],
  options: Omit<NotifierOptions, 'view' | 'sender'> & { sender?: NotificationSender } = {},
): Notifier {
  return new Notifier({ ...options, view, sender: options.sender ?? webhookSender() });
}
