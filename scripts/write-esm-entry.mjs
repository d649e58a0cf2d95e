// Writes the ESM entry (dist/esm/index.mjs) over the CommonJS build: it re-exports every
// named export, so `import { SentenceTransformer } from 'sentencekit'` and `require()` share
// one instance of the module (no dual-package state, one loaded addon).
//
// The adapter subpaths (sentencekit/langchain, /ai-sdk, /llamaindex) are real ES modules,
// from tsconfig.esm-adapters.json's build into dist/.esm-adapters: each extends its
// framework's class, and an ESM program gets the framework's ESM build, so a CommonJS adapter
// would extend another copy of the class than the one the program's types and objects come
// from. Their imports of the core modules point at dist/cjs, the instance index.mjs uses.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const names = Object.keys(require(join(root, 'dist', 'cjs', 'index.js'))).filter((n) => n !== '__esModule' && n !== 'default');

// dist/cjs says it is CommonJS: node assumes so for a .js file under a package.json without
// "type", but Deno reads such a file as an ES module, and index.mjs's import of it would fail.
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

const esmDir = join(root, 'dist', 'esm');
mkdirSync(esmDir, { recursive: true });
writeFileSync(
  join(esmDir, 'index.mjs'),
  `import cjs from '../cjs/index.js';\n\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`,
);
writeFileSync(join(esmDir, 'index.d.mts'), "export * from '../cjs/index.js';\n");
console.log(`write-esm-entry: ${names.length} exports`);

// The adapters' own modules; every other relative import is a core module, taken from dist/cjs.
const ADAPTER_MODULE = /^(langchain|ai-sdk|llamaindex|adapter-)[\w-]*$/;
const adapterBuild = join(root, 'dist', '.esm-adapters');
if (!existsSync(adapterBuild)) throw new Error('write-esm-entry: dist/.esm-adapters is missing: run tsc -p tsconfig.esm-adapters.json first');
const relink = (code, extension) =>
  code.replace(/(from\s+|import\s*\(\s*)(['"])\.\/([\w-]+)\.js\2/g, (_, lead, quote, name) =>
    `${lead}${quote}${ADAPTER_MODULE.test(name) ? `./${name}${extension}` : `../cjs/${name}.js`}${quote}`);
let copied = 0;
for (const file of readdirSync(adapterBuild)) {
  const match = /^(.*?)(\.d\.ts|\.js)$/.exec(file);
  if (!match || !ADAPTER_MODULE.test(match[1])) continue;
  const [, name, kind] = match;
  const code = readFileSync(join(adapterBuild, file), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/, '');
  writeFileSync(join(esmDir, `${name}${kind === '.js' ? '.mjs' : '.d.mts'}`), relink(code, '.mjs'));
  copied += 1;
}
rmSync(adapterBuild, { recursive: true, force: true });
console.log(`write-esm-entry: ${copied} adapter files as ES modules`);
