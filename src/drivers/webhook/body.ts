// The bodies a webhook receives, built from one message: Lifeboat's own JSON object, a Slack
// incoming-webhook body, or a Matrix `m.text` message. Pure: tested on their own. Nothing here
// ever holds a secret (header values and `pathSecret` never reach a body).
import type {
  NotificationEvent,
  NotificationMessage,
  WebhookFormat,
} from '../../core/plan/index.js';

type MessageEvent = NotificationEvent;

/** What happened, as a webhook is told of it (the controller's notifier makes it). */
export type WebhookMessage = NotificationMessage;

const TITLES: Record<MessageEvent, string> = {
  outage: 'Outage',
  'approval-needed': 'Approval needed',
  'run-finished': 'Run finished',
  'rpo-breach': 'RPO breach',
};

/** `json`: the message itself, its fields in a fixed order, absent ones left out. */
export function jsonBody(m: WebhookMessage): Record<string, string> {
  const out: Record<string, string> = { event: m.event, service: m.service };
  if (m.site !== undefined) out.site = m.site;
  if (m.runId !== undefined) out.runId = m.runId;
  if (m.state !== undefined) out.state = m.state;
  out.message = m.message;
  out.at = m.at;
  if (m.dashboardUrl !== undefined) out.dashboardUrl = m.dashboardUrl;
  if (m.approveCommand !== undefined) out.approveCommand = m.approveCommand;
  return out;
}

/** One plain-text line: `[Lifeboat] Outage: app-db — site a is down (confirmed by controller)`. */
export function plainText(m: WebhookMessage): string {
  const lines = [`[Lifeboat] ${TITLES[m.event]}: ${m.service} — ${m.message}`];
  if (m.approveCommand !== undefined) lines.push(`Approve: ${m.approveCommand}`);
  if (m.dashboardUrl !== undefined) lines.push(m.dashboardUrl);
  return lines.join('\n');
}

/** Slack's mrkdwn: `&`, `<` and `>` are the only characters to escape. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `slack`: `text` (the notification's fallback) and `blocks` (one section, a context line). */
export function slackBody(m: WebhookMessage): {
  text: string;
  blocks: Record<string, unknown>[];
} {
  const lines = [`*${TITLES[m.event]}*: \`${slackEscape(m.service)}\` — ${slackEscape(m.message)}`];
  if (m.approveCommand !== undefined) lines.push(`Approve: \`${slackEscape(m.approveCommand)}\``);
  if (m.dashboardUrl !== undefined) lines.push(`<${m.dashboardUrl}|Open in the dashboard>`);
  const context = [m.site && `site ${m.site}`, m.runId && `run ${m.runId}`, m.state, m.at]
    .filter((x): x is string => typeof x === 'string' && x !== '')
    .map(slackEscape)
    .join(' · ');
  return {
    text: slackEscape(plainText(m)),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
}

function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * `matrix`: the content of an `m.room.message` of type `m.text`, with an HTML rendering
 * (`format: org.matrix.custom.html`). A bridge that posts the body as is (Matrix's own
 * `PUT /rooms/{room}/send/m.room.message/{txn}`, maubot's webhook plugin) sends it unchanged.
 */
export function matrixBody(m: WebhookMessage): {
  msgtype: 'm.text';
  body: string;
  format: 'org.matrix.custom.html';
  formatted_body: string;
} {
  const parts = [
    `<strong>${htmlEscape(TITLES[m.event])}</strong>: <code>${htmlEscape(m.service)}</code> — ${htmlEscape(m.message)}`,
  ];
  if (m.approveCommand !== undefined)
    parts.push(`Approve: <code>${htmlEscape(m.approveCommand)}</code>`);
  if (m.dashboardUrl !== undefined)
    parts.push(`<a href="${htmlEscape(m.dashboardUrl)}">Open in the dashboard</a>`);
  return {
    msgtype: 'm.text',
    body: plainText(m),
    format: 'org.matrix.custom.html',
    formatted_body: parts.join('<br>'),
  };
}

/** The request body for a format, as JSON text. */
export function webhookBody(format: WebhookFormat, m: WebhookMessage): string {
  switch (format) {
    case 'json':
      return JSON.stringify(jsonBody(m));
    case 'slack':
      return JSON.stringify(slackBody(m));
    case 'matrix':
      return JSON.stringify(matrixBody(m));
  }
}
