// The API reference (issue 16): TypeDoc builds it from the JSDoc of everything the package
// exports, with its validation turned into errors (docs/typedoc.json): an export without
// documentation, a type referenced but not exported, or a broken {@link} fails here. TypeDoc
// needs TypeScript 5's compiler API, so it lives in docs/package.json (installed here when
// missing; `npm run docs` does the same).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = join(__dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const TYPEDOC = join(DOCS, 'node_modules', 'typedoc', 'bin', 'typedoc');

test('TypeDoc builds the API reference with every export documented and no broken links', () => {
  if (!existsSync(TYPEDOC)) execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: DOCS, stdio: 'inherit' });
  const out = mkdtempSync(join(tmpdir(), 'sentencekit-api-'));
  try {
    const run = spawnSync(process.execPath, [TYPEDOC, '--options', join(DOCS, 'typedoc.json'), '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const output = `${run.stdout}${run.stderr}`;
    console.log(`# typedoc: ${output.trim().split('\n').slice(-2).join(' | ')}`);
    assert.is(run.status, 0, output);
    assert.not.match(output, /\[warning\]|\[error\]/, output);
    const pages = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'));
    for (const page of ['classes/SentenceTransformer.html', 'classes/CrossEncoder.html', 'classes/SparseEncoder.html', 'classes/Embeddings.html', 'functions/semanticSearch.html']) {
      assert.ok(pages.includes(page), `${page} generated`);
    }
    assert.ok(pages.some((p) => p.startsWith('modules/util') || p.includes('util')), 'the util namespace has pages');
    // The class page carries the JSDoc example.
    assert.match(readFileSync(join(out, 'classes', 'SentenceTransformer.html'), 'utf8'), /fromPretrained/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
