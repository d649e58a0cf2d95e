// Writes the ESM entry (dist/esm/index.mjs) over the CommonJS build: it re-exports every
// named export, so `import { SentenceTransformer } from 'sentencekit'` and `require()` share
// one instance of the module (no dual-package state, one loaded addon).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const names = Object.keys(require(join(root, 'dist', 'cjs', 'index.js'))).filter((n) => n !== '__esModule' && n !== 'default');

const esmDir = join(root, 'dist', 'esm');
mkdirSync(esmDir, { recursive: true });
writeFileSync(
  join(esmDir, 'index.mjs'),
  `import cjs from '../cjs/index.js';\n\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`,
);
writeFileSync(join(esmDir, 'index.d.mts'), "export * from '../cjs/index.js';\n");
console.log(`write-esm-entry: ${names.length} exports`);
