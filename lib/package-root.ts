import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The installed package's root folder: the nearest ancestor of this file whose package.json
 * is sentencekit's. Works from the sources (lib/) and from the build (dist/cjs/).
 * Internal: not exported from the package entry point.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sentencekit') return dir;
      } catch {
        // an unreadable package.json on the way up is not ours
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find sentencekit's package.json above ${__dirname}`);
    dir = parent;
  }
}
