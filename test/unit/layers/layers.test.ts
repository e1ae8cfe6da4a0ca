import { describe, expect, it } from 'vitest';
import { checkFile, layerOf } from '../../../scripts/layers.js';

describe('the layer rule', () => {
  it("knows each folder's layer", () => {
    expect(layerOf('src/core/plan/load.ts')).toBe('core');
    expect(layerOf('src/drivers/driver.ts')).toBe('driver-interface');
    expect(layerOf('src/drivers/postgres/promote.ts')).toBe('drivers');
    expect(layerOf('src/cli/main.ts')).toBe('cli');
    expect(layerOf('web/src/App.tsx')).toBe('web');
    expect(layerOf('test/unit/x.test.ts')).toBeUndefined();
  });

  it('keeps core pure: no node: modules, no other npm packages, no upper layers', () => {
    expect(checkFile('src/core/a.ts', "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(checkFile('src/core/a.ts', "import pg from 'pg';")).toHaveLength(1);
    expect(
      checkFile('src/core/a.ts', "import { z } from 'zod';\nimport { x } from './b.js';"),
    ).toEqual([]);
    const [v] = checkFile('src/core/plan/a.ts', "\nimport { run } from '../../engine/run.js';");
    expect(v?.line).toBe(2);
    expect(v?.reason).toContain("layer 'core' may not import layer 'engine'");
  });

  it('lets drivers use core and the driver interface but not each other', () => {
    expect(checkFile('src/drivers/postgres/a.ts', "import { x } from '../driver.js';")).toEqual([]);
    expect(
      checkFile('src/drivers/postgres/a.ts', "import { x } from '../../core/plan/index.js';"),
    ).toEqual([]);
    expect(
      checkFile('src/drivers/postgres/a.ts', "import { x } from '../mariadb/b.js';"),
    ).toHaveLength(1);
    expect(
      checkFile('src/drivers/postgres/a.ts', "import { x } from '../../store/s.js';"),
    ).toHaveLength(1);
  });

  it('lets the engine use the driver interface but not a concrete driver', () => {
    expect(
      checkFile('src/engine/a.ts', "import type { Driver } from '../drivers/driver.js';"),
    ).toEqual([]);
    expect(
      checkFile('src/engine/a.ts', "import { PgDriver } from '../drivers/postgres/driver.js';"),
    ).toHaveLength(1);
  });

  it('catches dynamic imports and re-exports too', () => {
    expect(checkFile('src/server/a.ts', "const m = await import('../cli/main.js');")).toHaveLength(
      1,
    );
    expect(checkFile('src/lab/a.ts', "export { x } from '../engine/x.js';")).toHaveLength(1);
  });

  it('lets the CLI compose everything', () => {
    expect(
      checkFile(
        'src/cli/a.ts',
        "import { x } from '../drivers/postgres/driver.js';\nimport { y } from '../lab/lab.js';",
      ),
    ).toEqual([]);
  });
});
