// A second (third, ...) process for the store conformance suite: opens the same store through the
// subject's module, says `ready`, waits for `go` on stdin so that all children start together,
// does its task, and prints one JSON line per result. Run as
//   node --import tsx test/conformance/store-child.ts '<json ChildTask>'
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { StateStore } from '../../src/store/index.js';

export type ChildTask =
  | {
      kind: 'append';
      runId: string;
      token: number;
      count: number;
      writer: string;
      /** Pause between appends, so that two writers overlap even on a loaded machine. */
      pauseMs?: number;
    }
  | { kind: 'audit'; count: number; writer: string }
  | { kind: 'acquire'; key: string; owner: string; ttlMs: number }
  | {
      kind: 'consume';
      runId: string;
      token: number;
      steps: string[];
      planHash: string;
      paramsHash: string;
    };

export interface ChildArgs {
  /** Absolute path of a module exporting `openStore(location): Promise<StateStore>`. */
  module: string;
  location: string;
  task: ChildTask;
}

const emit = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function waitForGo(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'go') break;
  }
  lines.close();
}

async function run(store: StateStore, task: ChildTask): Promise<void> {
  switch (task.kind) {
    case 'append':
      for (let i = 0; i < task.count; i++) {
        const e = await store.journal.append(
          task.runId,
          { stepId: 'step', phase: 'note', data: { writer: task.writer, i } },
          task.token,
        );
        emit({ seq: e.seq });
        if (task.pauseMs) await new Promise((r) => setTimeout(r, task.pauseMs));
      }
      return;
    case 'audit':
      for (let i = 0; i < task.count; i++) {
        const e = await store.audit.append({ actor: task.writer, action: 'test', data: { i } });
        emit({ seq: e.seq });
      }
      return;
    case 'acquire':
      emit({ lease: (await store.leases.acquire(task.key, task.owner, task.ttlMs)) ?? null });
      return;
    case 'consume':
      for (const stepId of task.steps) {
        const a = await store.approvals.consume(
          { runId: task.runId, stepId, planHash: task.planHash, paramsHash: task.paramsHash },
          task.token,
        );
        if (a) emit({ consumed: a.id });
      }
      return;
  }
}

const args = JSON.parse(process.argv[2] ?? '') as ChildArgs;
const mod = (await import(pathToFileURL(args.module).href)) as {
  openStore: (location: string) => Promise<StateStore>;
};
const store = await mod.openStore(args.location);
emit({ ready: true });
await waitForGo();
try {
  await run(store, args.task);
  emit({ done: true });
} catch (e) {
  emit({ error: { code: (e as { code?: string }).code, message: (e as Error).message } });
  process.exitCode = 1;
} finally {
  await store.close();
}
