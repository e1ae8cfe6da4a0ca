// The plan's `notifications` section: defaults, and the coded diagnostics for a host that is not
// allowed, plain http through a wildcard, an empty event list, an inline header secret.
import { describe, expect, it } from 'vitest';
import { notificationFindings } from '../../../src/core/analysis/notifications.js';
import { hostAllowed, loadPlan, type Plan } from '../../../src/core/plan/index.js';
import { memorySource } from '../plan/memory-source.js';

const BASE = 'version: 1\nname: t\n';

function load(notifications: string) {
  return loadPlan(
    '/p/plan.yaml',
    memorySource({ '/p/plan.yaml': `${BASE}notifications:\n${notifications}` }),
  );
}

describe('plan notifications', () => {
  it('accepts a webhook to an allowed host, with the defaults', () => {
    const l = load(
      [
        '  allowedHosts: [hooks.slack.com, "*.example.org", 127.0.0.1]',
        '  webhooks:',
        '    ops:',
        '      url: https://hooks.slack.com',
        '      pathSecret: env:SLACK_PATH',
        '      format: slack',
        '    local:',
        '      url: http://127.0.0.1:9000/hook',
        '      headers: { Authorization: "env:HOOK_AUTH" }',
        '      events: [outage]',
        '      tiers: [tier-1]',
        '',
      ].join('\n'),
    );
    expect(l.diagnostics).toEqual([]);
    const n = l.plan?.notifications;
    expect(n?.webhooks.ops?.events).toEqual([
      'outage',
      'approval-needed',
      'run-finished',
      'rpo-breach',
    ]);
    expect(n?.webhooks.local?.format).toBe('json');
    expect(n?.webhooks.local?.headers).toEqual({ Authorization: 'env:HOOK_AUTH' });
  });

  it('refuses a host that allowedHosts does not allow, at the url', () => {
    const l = load(
      [
        '  allowedHosts: ["*.example.org"]',
        '  webhooks:',
        '    x:',
        '      url: https://evil.example.com/h',
        '',
      ].join('\n'),
    );
    expect(l.plan).toBeUndefined();
    expect(l.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['LB_E_NOTIFY_HOST_NOT_ALLOWED', 7],
    ]);
    expect(l.diagnostics[0]?.message).toContain('evil.example.com');
  });

  it('refuses plain http to a host allowed through a wildcard, and an empty event list', () => {
    const l = load(
      [
        '  allowedHosts: ["*.example.org"]',
        '  webhooks:',
        '    x:',
        '      url: http://hooks.example.org/h',
        '      events: []',
        '',
      ].join('\n'),
    );
    expect(l.diagnostics.map((d) => d.code).sort()).toEqual([
      'LB_E_NOTIFY_INSECURE_URL',
      'LB_E_NOTIFY_NO_EVENT',
    ]);
  });

  it('refuses a url with a path beside pathSecret', () => {
    const l = load(
      [
        '  allowedHosts: [hooks.slack.com]',
        '  webhooks:',
        '    x:',
        '      url: https://hooks.slack.com/services/x',
        '      pathSecret: env:P',
        '',
      ].join('\n'),
    );
    expect(l.diagnostics.map((d) => d.code)).toEqual(['LB_E_PLAN_BAD_FORMAT']);
  });

  it('refuses a header value written in the plan, a URL with a password, an unknown format', () => {
    const l = load(
      [
        '  allowedHosts: [h.example.org]',
        '  webhooks:',
        '    x:',
        '      url: https://u:p@h.example.org/',
        '      format: teams',
        '      headers: { Authorization: "Bearer abc" }',
        '',
      ].join('\n'),
    );
    const codes = l.diagnostics.map((d) => d.code);
    expect(codes).toContain('LB_E_PLAN_INLINE_SECRET');
    expect(codes).toContain('LB_E_PLAN_BAD_VALUE');
    expect(codes).toContain('LB_E_PLAN_BAD_FORMAT');
    expect(JSON.stringify(l.diagnostics)).not.toContain('Bearer abc');
  });

  it('hostAllowed: exact names, IPs, and wildcards for subdomains only', () => {
    expect(hostAllowed('hooks.slack.com', ['HOOKS.slack.com'])).toEqual({
      allowed: true,
      literal: true,
    });
    expect(hostAllowed('a.example.org', ['*.example.org'])).toEqual({
      allowed: true,
      literal: false,
    });
    expect(hostAllowed('example.org', ['*.example.org']).allowed).toBe(false);
    expect(hostAllowed('evilexample.org', ['*.example.org']).allowed).toBe(false);
    expect(hostAllowed('::1', ['[::1]'])).toEqual({ allowed: true, literal: true });
  });

  it('lifeboat check warns of a filter naming no service or tier, and of filters matching nothing', () => {
    const hook = (extra: object) => ({
      url: 'https://h.example.org/',
      format: 'json',
      events: ['outage'],
      ...extra,
    });
    const plan = {
      tiers: { gold: {}, bronze: {} },
      services: { 'app-db': { tier: 'gold' }, web: { tier: 'bronze' } },
      notifications: {
        allowedHosts: ['h.example.org'],
        webhooks: {
          fine: hook({ services: ['web'], tiers: ['bronze'] }),
          typo: hook({ services: ['app-dbb'] }),
          crossed: hook({ services: ['web'], tiers: ['gold', 'silver'] }),
        },
      },
    } as unknown as Plan;
    const f = notificationFindings(plan).map((d) => [d.code, d.severity, d.path?.join('.')]);
    expect(f).toEqual([
      ['LB_E_NOTIFY_UNKNOWN_FILTER', 'warning', 'notifications.webhooks.typo.services.0'],
      ['LB_E_NOTIFY_MATCHES_NOTHING', 'warning', 'notifications.webhooks.typo'],
      ['LB_E_NOTIFY_UNKNOWN_FILTER', 'warning', 'notifications.webhooks.crossed.tiers.1'],
      ['LB_E_NOTIFY_MATCHES_NOTHING', 'warning', 'notifications.webhooks.crossed'],
    ]);
  });
});
