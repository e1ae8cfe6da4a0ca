// The webhook bodies (pure): json, slack, matrix.
import { describe, expect, it } from 'vitest';
import {
  jsonBody,
  matrixBody,
  slackBody,
  type WebhookMessage,
  webhookBody,
} from '../../../src/drivers/webhook/index.js';

const approval: WebhookMessage = {
  event: 'approval-needed',
  service: 'app-db',
  runId: 'r-1',
  state: 'waiting-approval',
  message:
    'failover run r-1 waits for an approval of app-db/approve-run: outage of a <confirmed> & proposed',
  at: '2026-11-21T10:00:00.000Z',
  dashboardUrl: 'https://lb.example.org/#/runs/r-1',
  approveCommand: 'lifeboat approve r-1 app-db/approve-run',
};

const outage: WebhookMessage = {
  event: 'outage',
  service: 'web',
  site: 'a',
  message: 'site a is down',
  at: '2026-11-21T10:00:00.000Z',
};

describe('webhook bodies', () => {
  it('json: the fields, in order, absent ones left out', () => {
    expect(jsonBody(outage)).toEqual({
      event: 'outage',
      service: 'web',
      site: 'a',
      message: 'site a is down',
      at: '2026-11-21T10:00:00.000Z',
    });
    expect(Object.keys(jsonBody(approval))).toEqual([
      'event',
      'service',
      'runId',
      'state',
      'message',
      'at',
      'dashboardUrl',
      'approveCommand',
    ]);
    expect(JSON.parse(webhookBody('json', outage))).toEqual(jsonBody(outage));
  });

  it('slack: text and blocks, mrkdwn escaped, the approve command and the link', () => {
    const b = slackBody(approval);
    expect(b.text).toContain('[Lifeboat] Approval needed: app-db');
    expect(b.text).toContain('&lt;confirmed&gt; &amp; proposed');
    expect(b.text).not.toContain('<confirmed>');
    const section = b.blocks[0] as { type: string; text: { type: string; text: string } };
    expect(section.type).toBe('section');
    expect(section.text.type).toBe('mrkdwn');
    expect(section.text.text).toContain('`lifeboat approve r-1 app-db/approve-run`');
    expect(section.text.text).toContain(
      '<https://lb.example.org/#/runs/r-1|Open in the dashboard>',
    );
    expect(JSON.stringify(b.blocks[1])).toContain('run r-1');
    expect(JSON.parse(webhookBody('slack', approval))).toEqual(b);
  });

  it('matrix: an m.text message with an HTML rendering, escaped', () => {
    const b = matrixBody(approval);
    expect(b.msgtype).toBe('m.text');
    expect(b.format).toBe('org.matrix.custom.html');
    expect(b.body).toContain('Approve: lifeboat approve r-1 app-db/approve-run');
    expect(b.body).toContain('https://lb.example.org/#/runs/r-1');
    expect(b.formatted_body).toContain('&lt;confirmed&gt; &amp; proposed');
    expect(b.formatted_body).toContain('<a href="https://lb.example.org/#/runs/r-1">');
    expect(b.formatted_body).not.toContain('<confirmed>');
    expect(JSON.parse(webhookBody('matrix', outage))).toEqual(matrixBody(outage));
  });

  it('every format carries the service and the message', () => {
    for (const f of ['json', 'slack', 'matrix'] as const) {
      const text = webhookBody(f, outage);
      expect(text, f).toContain('web');
      expect(text, f).toContain('site a is down');
    }
  });
});
