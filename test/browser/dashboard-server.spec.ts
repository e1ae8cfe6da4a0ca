// The dashboard against the real API server (createServer, src/server) over the API tests' fake
// controller and a real SQLite store: the contract end to end — session cookie, CSRF token and
// Origin check, the server's CSP, route shapes, SSE — without the lab. Runs and their journals
// are written to the store the way the engine writes them.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadPlanFile } from '../../src/cli/plan-files.js';
import type { ControllerEvent } from '../../src/controller/model.js';
import { analyzePlan } from '../../src/core/analysis/analyze.js';
import { renderDiagramSvg, renderMarkdown } from '../../src/core/render/index.js';
import { newToken, tokenHash } from '../../src/server/auth.js';
import { createServer, type LifeboatServer } from '../../src/server/index.js';
import { type JsonValue, serviceLeaseKey } from '../../src/store/index.js';
import { FakeController, sampleService } from '../support/fake-controller.js';

const SHOTS = 'test-results/screenshots';
let fake: FakeController;
let app: LifeboatServer;
let base: string;
const tokens = { approver: newToken(), viewer: newToken() };
let rendered: { markdown: string; svg: string };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fake = new FakeController();
  fake.services_ = [
    sampleService('app-db', { tier: 'High' }),
    sampleService('web', { tier: 'Low', activeSite: 'b' }),
  ];
  // The plan document and diagram as the real renderer writes them (the RDO example).
  const loaded = loadPlanFile(join(process.cwd(), 'examples/rdo/plan.yaml'));
  if (!loaded.plan) throw new Error('examples/rdo/plan.yaml does not load');
  const plan = loaded.plan;
  rendered = { markdown: renderMarkdown(plan, analyzePlan(plan)), svg: renderDiagramSvg(plan) };
  fake.rendered = () => rendered;
  await fake.store.tokens.create({
    name: 'alice',
    role: 'approver',
    hash: tokenHash(tokens.approver),
  });
  await fake.store.tokens.create({
    name: 'victor',
    role: 'viewer',
    hash: tokenHash(tokens.viewer),
  });
  app = await createServer({
    controller: fake,
    webRoot: join(process.cwd(), 'dist/web'),
    logger: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await app?.close();
  await fake?.close();
});

/** Appends a journal entry as the engine does (fenced by the service's lease) and streams it. */
async function journal(
  runId: string,
  token: number,
  stepId: string | null,
  phase: 'intent' | 'effect' | 'result' | 'note',
  data: JsonValue = {},
) {
  const entry = await fake.store.journal.append(runId, { stepId, phase, data }, token);
  fake.emit({ type: 'journal', runId, entry });
}

async function setRun(
  runId: string,
  token: number,
  state: string,
  patch: Record<string, JsonValue | undefined>,
) {
  const run = await fake.store.runs.get(runId);
  if (!run) throw new Error(runId);
  const data = { ...(run.data as Record<string, JsonValue>), ...patch } as Record<
    string,
    JsonValue
  >;
  for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
  await fake.store.runs.update(runId, {
    expectedRevision: run.revision,
    token,
    state: state as never,
    data,
  });
  const event: ControllerEvent = {
    type: 'run',
    runId,
    service: run.service,
    runbook: run.runbook,
    state: state as never,
    message: '',
  };
  fake.emit(event);
}

test('against the real server: sign in, overview, a live run approved with the session', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() === 404) errors.push(`404 ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401/.test(m.text())) errors.push(m.text());
  });

  await page.goto(`${base}/`);
  await page.getByLabel('Token').fill(tokens.approver);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('whoami')).toContainText('alice');
  await expect(page.locator('tr[data-testid^="service-"]')).toHaveCount(2);
  await expect(page.locator('section.tier h2')).toHaveText([/^High/, /^Low/]);
  await expect(page.getByTestId('active-site-web')).toHaveText('b');
  await expect(page.getByTestId('connection-state')).toContainText('LIVE');

  // A run, as the engine writes it: the page follows its journal live.
  const { runId } = await fake.startRun({
    runbook: 'failover',
    target: 'app-db',
    actor: 'controller',
  });
  const lease = await fake.store.leases.acquire(serviceLeaseKey('app-db'), 'test', 60_000);
  if (!lease) throw new Error('lease');
  const appDb = { ...sampleService('app-db', { tier: 'High' }), activeRunId: runId };
  fake.services_ = [appDb, ...fake.services_.slice(1)];
  fake.emit({ type: 'service', service: appDb });
  await page.getByTestId('run-link-app-db').click();
  await expect(page.getByTestId('run-page')).toBeVisible();
  await expect(page.getByTestId('step-app-db/fence')).toBeVisible();

  await journal(runId, lease.token, null, 'note', { event: 'started' });
  await journal(runId, lease.token, 'app-db/fence', 'intent');
  await expect(page.getByTestId('step-phase-app-db/fence')).toHaveText('RUNNING');
  await journal(runId, lease.token, 'app-db/fence', 'result', {
    status: 'succeeded',
    detail: 'a1 fenced',
  });
  await expect(page.getByTestId('step-detail-app-db/fence')).toHaveText('a1 fenced');

  const waiting = { stepId: 'app-db/promote', purpose: 'step', reason: 'promote b1?', role: 'dba' };
  await journal(runId, lease.token, 'app-db/promote', 'note', {
    event: 'waiting-approval',
    ...waiting,
  });
  await setRun(runId, lease.token, 'waiting-approval', { waiting });
  await expect(page.getByTestId('waiting-banner')).toContainText('promote b1?');
  // The step's role (dba) is not an API role: the server decides; approvers see the button.
  await page.getByTestId('approve-app-db/promote').click();
  await expect(page.getByTestId('action-notice')).toContainText('Approval of app-db/promote sent');
  expect(fake.calls.filter((c) => c.op === 'approve')).toEqual([
    { op: 'approve', args: [runId, 'app-db/promote', 'alice'] },
  ]);

  await journal(runId, lease.token, 'app-db/promote', 'note', {
    event: 'approved',
    approver: 'alice',
  });
  await setRun(runId, lease.token, 'running', { waiting: undefined, pointOfNoReturnPassed: true });
  await journal(runId, lease.token, null, 'note', {
    event: 'point-of-no-return',
    stepId: 'app-db/promote',
  });
  await journal(runId, lease.token, 'app-db/promote', 'intent');
  await journal(runId, lease.token, 'app-db/promote', 'result', {
    status: 'succeeded',
    detail: 'b1 is primary',
  });
  await journal(runId, lease.token, 'app-db/switch', 'intent');
  await journal(runId, lease.token, 'app-db/switch', 'result', { status: 'succeeded' });
  await setRun(runId, lease.token, 'succeeded', {});
  await expect(page.getByTestId('run-state')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('pnr-state')).toContainText('PASSED');
  await expect(page.getByTestId('step-phase-app-db/switch')).toHaveText('DONE');
  await page.screenshot({ path: `${SHOTS}/10-real-server-run.png`, fullPage: true });

  // The plan page: the real document and diagram; the sanitiser keeps every drawing element.
  await page.goto(`${base}/#/plan`);
  const headings = rendered.markdown.split('\n').filter((l) => /^#{1,6} /.test(l)).length;
  await expect(page.getByTestId('plan-markdown').locator('h2, h3, h4, h5, h6')).toHaveCount(
    headings,
  );
  expect(await page.getByTestId('plan-markdown').textContent()).not.toMatch(/<br>|\\[|*_#]/);
  const diagram = page.getByTestId('plan-diagram');
  await expect(diagram.locator('svg')).toBeVisible();
  for (const tag of ['text', 'path', 'rect', 'g']) {
    const inSource = (rendered.svg.match(new RegExp(`<${tag}[\\s>/]`, 'g')) ?? []).length;
    expect(await diagram.locator(`svg ${tag}`).count(), tag).toBe(inSource);
  }
  await page.screenshot({ path: `${SHOTS}/11-real-plan.png` });
  await page.goto(`${base}/#/audit`);
  await expect(page.getByTestId('audit-verify')).toContainText('chain verified');
  await expect(page.getByTestId('audit-table')).toContainText('approval.record');
  expect(errors).toEqual([]);
});

test('against the real server: a viewer is refused an approval it cannot see anyway', async ({
  page,
}) => {
  await page.goto(`${base}/`);
  await page.getByLabel('Token').fill(tokens.viewer);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('whoami')).toContainText('viewer');
  await page.goto(`${base}/#/runs/run-1`);
  await expect(page.getByTestId('run-page')).toBeVisible();
  await expect(page.locator('[data-testid^="approve-"]')).toHaveCount(0);
  // Without the CSRF header the server refuses an unsafe request even with the cookie.
  const res = await page.request.post(`${base}/api/v1/runs/run-1/abort`, {
    data: { reason: 'x' },
    headers: { origin: base },
  });
  expect(res.status()).toBe(403);
});
