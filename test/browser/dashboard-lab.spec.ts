// The dashboard in a real browser, in the lab (issue 5 §3): `lifeboat demo --no-fault` brings
// the lab up and runs the real controller and API on the lab plan; chromium signs in with the
// printed approver token (carol, a member of the plan's approvers: the controller is the run's
// requester, carol the second person), site a is cut off, the outage and the proposed failover
// of app-db appear, carol approves it in the UI, the step timeline follows the run live to
// SUCCEEDED, and app-db shows site b active. Root only (the lab); skipped otherwise.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@playwright/test';

const ROOT = process.cwd();
const BIN = join(ROOT, 'bin', 'lifeboat');
const SHOTS = 'test-results/screenshots';
const isRoot = process.getuid?.() === 0;

let demo: ChildProcess | undefined;
let exit: Promise<number | null> | undefined;
let output = '';
let base = '';
let token = '';

test.describe.configure({ mode: 'serial', timeout: 240_000 });
test.skip(!isRoot || process.env.LIFEBOAT_SKIP_LAB === '1', 'needs root and the lab');

function labNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('lb-'));
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  mkdirSync(SHOTS, { recursive: true });
  demo = spawn(
    BIN,
    [
      'demo',
      '--no-fault',
      '--skip-install',
      '--listen',
      '127.0.0.1:0',
      '--components',
      'postgres,haproxy,bind',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const d = demo;
  exit = new Promise((r) => d.on('exit', (code) => r(code)));
  d.stdout?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  d.stderr?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const end = Date.now() + 150_000;
  while (Date.now() < end && d.exitCode === null) {
    const url = /^Dashboard: (http:\/\/\S+)$/m.exec(output)?.[1];
    const t = /^Token: +(lbt_\S+)$/m.exec(output)?.[1];
    if (url && t) {
      base = url.replace(/\/$/, '');
      token = t;
      return;
    }
    await sleep(200);
  }
  throw new Error(`the demo did not print its URL and token:\n${output}`);
});

test.afterAll(async () => {
  test.setTimeout(150_000);
  if (!demo) return;
  if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGINT');
  const code = await Promise.race([exit, sleep(120_000).then(() => 'hung' as const)]);
  if (code === 'hung') {
    demo.kill('SIGKILL');
    execFileSync(BIN, ['lab', 'down'], { stdio: 'ignore', timeout: 60_000 });
  }
  expect(code, output).toBe(0);
  expect(output).toMatch(/teardown verified/);
  expect(labNamespaces()).toEqual([]);
});

test('in the lab: site a cut off, the proposed failover approved in the UI, app-db active at b', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // Sign in with the printed token.
  await page.goto(`${base}/`);
  await page.getByTestId('login-token').fill(token);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('whoami')).toContainText('carol');
  await expect(page.getByTestId('connection-state')).toContainText('LIVE');
  await expect(page.locator('tr[data-testid^="service-"]')).toHaveCount(6);
  await expect(page.getByTestId('active-site-app-db')).toHaveText('a');
  // app-db's sites come up once its probes have passed.
  await expect(page.getByTestId('site-app-db-a')).toContainText(/UP/i, { timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/20-lab-overview.png`, fullPage: true });

  // The fault, as the demo would do it.
  execFileSync(BIN, ['lab', 'partition', 'a'], { timeout: 30_000 });
  await expect(page.getByTestId('outage-app-db')).toContainText('proposed', { timeout: 30_000 });
  await expect(page.getByTestId('site-app-db-a')).toContainText(/DOWN/i);
  await page.screenshot({ path: `${SHOTS}/21-lab-outage-proposed.png`, fullPage: true });

  // The proposed run, waiting for a second person.
  await page.getByTestId('run-link-app-db').click();
  await expect(page.getByTestId('run-page')).toBeVisible();
  await expect(page.getByTestId('waiting-banner')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('step-phase-app-db/approve-run')).toHaveText('PENDING');
  const steps = page.locator('[data-testid^="step-phase-"]');
  const count = await steps.count();
  expect(count).toBeGreaterThan(3);
  await page.screenshot({ path: `${SHOTS}/22-lab-run-waiting.png`, fullPage: true });

  // carol approves in the UI; the timeline follows, live (no reload from here on).
  await page.getByTestId('approve-app-db/approve-run').click();
  await expect(page.getByTestId('action-notice')).toContainText('app-db/approve-run');
  await expect(page.getByTestId('step-phase-app-db/approve-run')).toHaveText('DONE', {
    timeout: 30_000,
  });
  await page.screenshot({ path: `${SHOTS}/23-lab-run-live.png`, fullPage: true });
  await expect(page.getByTestId('run-state')).toHaveText('SUCCEEDED', { timeout: 120_000 });
  await expect(steps).toHaveText(Array(count).fill('DONE'));
  await expect(page.getByTestId('pnr-state')).toContainText('PASSED');
  await page.screenshot({ path: `${SHOTS}/24-lab-run-succeeded.png`, fullPage: true });

  // app-db now active at b, on its own page and on the overview.
  await page.goto(`${base}/#/services/app-db`);
  await expect(page.getByTestId('service-page')).toBeVisible();
  await expect(page.getByTestId('active-site-app-db')).toHaveText('b', { timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/25-lab-app-db-at-b.png`, fullPage: true });
  await page.goto(`${base}/`);
  await expect(page.getByTestId('active-site-app-db')).toHaveText('b');
  await page.screenshot({ path: `${SHOTS}/26-lab-overview-after.png`, fullPage: true });
  expect(errors).toEqual([]);
});
