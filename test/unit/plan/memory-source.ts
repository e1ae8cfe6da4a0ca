// An in-memory PlanSource for loader tests: files by absolute path, `*` globs within a folder.
import type { PlanSource } from '../../../src/core/plan/index.js';

export function memorySource(files: Record<string, string>): PlanSource {
  return {
    read(file) {
      const text = files[file];
      if (text === undefined) throw new Error(`ENOENT: ${file}`);
      return text;
    },
    expand(pattern, fromFile) {
      const dir = fromFile.slice(0, fromFile.lastIndexOf('/') + 1);
      const full = dir + pattern.replace(/^\.\//, '');
      const re = new RegExp(
        `^${full
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}$`,
      );
      return Object.keys(files)
        .filter((f) => re.test(f))
        .sort();
    },
  };
}
