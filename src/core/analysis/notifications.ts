// Findings about the plan's webhooks that the schema cannot see: a `services` or `tiers` filter
// naming what the plan does not have (a typo silences the webhook), and a webhook whose filters
// together match no service.
import { type Diagnostic, diagnostic, type Plan } from '../plan/index.js';

export function notificationFindings(plan: Plan): Diagnostic[] {
  const out: Diagnostic[] = [];
  const services = Object.entries(plan.services ?? {});
  for (const [name, hook] of Object.entries(plan.notifications?.webhooks ?? {})) {
    const base = ['notifications', 'webhooks', name] as const;
    hook.services?.forEach((s, i) => {
      if (!plan.services?.[s])
        out.push(
          diagnostic(
            'LB_E_NOTIFY_UNKNOWN_FILTER',
            `webhook \`${name}\`: the plan has no service \`${s}\``,
            { path: [...base, 'services', i] },
          ),
        );
    });
    hook.tiers?.forEach((t, i) => {
      if (!plan.tiers?.[t])
        out.push(
          diagnostic(
            'LB_E_NOTIFY_UNKNOWN_FILTER',
            `webhook \`${name}\`: the plan has no tier \`${t}\``,
            {
              path: [...base, 'tiers', i],
            },
          ),
        );
    });
    const matched = services.some(
      ([s, svc]) =>
        (hook.services === undefined || hook.services.includes(s)) &&
        (hook.tiers === undefined || hook.tiers.includes(svc.tier)),
    );
    if (!matched && (hook.services !== undefined || hook.tiers !== undefined))
      out.push(
        diagnostic(
          'LB_E_NOTIFY_MATCHES_NOTHING',
          `webhook \`${name}\`: its \`services\` and \`tiers\` together match no service of the plan`,
          { path: [...base] },
        ),
      );
  }
  return out;
}
