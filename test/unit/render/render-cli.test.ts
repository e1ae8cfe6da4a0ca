// `lifeboat render`: given a plan, when it is rendered into a folder, then the four files are
// there; an invalid plan writes nothing; a folder that cannot be written is reported as such.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderCommand } from '../../../src/cli/commands/render.js';
import { runCli } from '../../../src/cli/program.js';
import { TWO_SITES_FILE } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-render-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function render(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  const code = await runCli([renderCommand(io)], ['render', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

const FILES = ['diagram.dot', 'diagram.svg', 'plan.html', 'plan.md'];

describe('lifeboat render', () => {
  it('writes the four files into a new folder and prints their paths', async () => {
    const target = join(dir, 'out', 'nested');
    const r = await render([TWO_SITES_FILE, '--out', target]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(target).sort()).toEqual(FILES);
    expect(r.out.trim().split('\n')).toEqual(
      ['plan.md', 'plan.html', 'diagram.svg', 'diagram.dot'].map((f) => join(target, f)),
    );
    const md = readFileSync(join(target, 'plan.md'), 'utf8');
    expect(md.startsWith('# Service continuity plan: two-sites\n')).toBe(true);
    // The plan has an error finding: the document shows it, located in the plan file.
    expect(md).toMatch(
      /\| \*\*ERROR\*\* \| `LB_E_CHECK_RTO_EXCEEDED` \| `two-sites\.yaml:[0-9]+:[0-9]+` \|/,
    );
    expect(readFileSync(join(target, 'plan.html'), 'utf8')).toContain('<svg xmlns=');
    expect(readFileSync(join(target, 'diagram.svg'), 'utf8')).toContain('</svg>');
    expect(readFileSync(join(target, 'diagram.dot'), 'utf8')).toContain('digraph "two-sites"');
  });

  it('prints { files } with --json, and renders the same bytes twice', async () => {
    const r = await render([TWO_SITES_FILE, '--out', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      files: ['plan.md', 'plan.html', 'diagram.svg', 'diagram.dot'].map((f) => join(dir, f)),
    });
    const first = FILES.map((f) => readFileSync(join(dir, f), 'utf8'));
    await render([TWO_SITES_FILE, '--out', dir]);
    expect(FILES.map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(first);
    // No temporary file is left behind.
    expect(readdirSync(dir).sort()).toEqual(FILES);
  });

  it('prints the diagnostics of an invalid plan, exits 2 and writes nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nname: bad\nservices:\n  x: { tier: nope }\n');
    const out = join(dir, 'out');
    const r = await render([bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:4:\d+ LB_E_PLAN_/);
    expect(r.err).toContain('the plan is invalid: nothing written');
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });

  it('reports LB_E_CLI_FILE_WRITE when the folder cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const r = await render([TWO_SITES_FILE, '--out', join(blocker, 'out'), '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^LB_E_CLI_FILE_WRITE cannot create the directory .*a-file\/out: /);
    expect(JSON.parse(r.out).error.code).toBe('LB_E_CLI_FILE_WRITE');
  });

  it('requires --out', async () => {
    const r = await render([TWO_SITES_FILE]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--out <dir>' not specified");
  });
});
