// cpu-level-independent: the levels stage does not run this file again.
// The command line (lib/cli.ts): one JSON line per text with the library's own results, on
// every CPU engine and for each command and encode option; strict flags (an unknown flag or a
// missing value is the usage and exit 2, never a text to encode); --help on stdout with exit
// 0; --version; stdin read line by line with empty lines skipped; a model failure is one
// error line and exit 1.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, quantizeEmbeddings, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { FIXTURES, maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'lib', 'cli.ts');
const TINY_CE = join(FIXTURES, 'tiny-ce-1label');
const TINY_SPLADE = join(FIXTURES, 'tiny-splade');
const TINY_BERT_DENSE = join(FIXTURES, 'tiny-bert-dense');

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', input: input ?? '' });
}

function jsonLines<T>(stdout: string): T[] {
  return stdout.trim().split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as T);
}

interface EmbeddingLine { text: string; dimension: number; precision?: string; embedding: number[] }

for (const cpuEngine of ['onnxruntime', 'int8', 'bf16x3'] as const) {
  test(`encode prints each text's embedding (--cpu-engine ${cpuEngine})`, async () => {
    const run = cli(['encode', '--model', TINY_BERT, '--cpu-engine', cpuEngine, 'hello world', 'a second text']);
    assert.is(run.status, 0, run.stderr);
    const lines = jsonLines<EmbeddingLine>(run.stdout);
    assert.equal(lines.map((line) => line.text), ['hello world', 'a second text']);
    const model = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine });
    try {
      const expected = await model.encode(['hello world', 'a second text']);
      lines.forEach((line, i) => {
        assert.is(line.dimension, expected.shape[1]);
        assert.ok(maxAbsDiff(line.embedding, expected.row(i)) < 1e-6, `text ${i}`);
      });
    } finally {
      await model.dispose();
    }
  });
}

test('stdin: one text per line, empty lines skipped, CRLF endings read as line ends', async () => {
  const run = cli(['encode', '-m', TINY_BERT], 'first line\n\n\nsecond line\r\nthird line');
  assert.is(run.status, 0, run.stderr);
  const lines = jsonLines<EmbeddingLine>(run.stdout);
  assert.equal(lines.map((line) => line.text), ['first line', 'second line', 'third line']);
  assert.is(run.stderr, '', 'no progress bar when stderr is not a terminal');
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const expected = await model.encode(['first line', 'second line', 'third line']);
    lines.forEach((line, i) => assert.ok(maxAbsDiff(line.embedding, expected.row(i)) < 1e-6, `line ${i}`));
  } finally {
    await model.dispose();
  }
});

test('encode options: --normalize, --truncate-dim, --prompt-name, --prompt, --batch-size, --max-seq-length', async () => {
  const texts = ['a query about cats', 'another text entirely, a little longer than the first one'];
  const model = await SentenceTransformer.fromPretrained(TINY_BERT_DENSE);
  const short = await SentenceTransformer.fromPretrained(TINY_BERT_DENSE, { maxSeqLength: 6 });
  try {
    const cases: Array<[string[], Promise<{ row(i: number): Float32Array }>]> = [
      [['--normalize', '--truncate-dim', '8'], model.encode(texts, { normalizeEmbeddings: true, truncateDim: 8 })],
      [['--prompt-name', 'query'], model.encode(texts, { promptName: 'query' })],
      [['--prompt', 'search: ', '--batch-size', '1'], model.encode(texts, { prompt: 'search: ', batchSize: 1 })],
      [['--max-seq-length', '6'], short.encode(texts)],
    ];
    for (const [flags, expectedPromise] of cases) {
      const run = cli(['encode', '-m', TINY_BERT_DENSE, ...flags, ...texts]);
      assert.is(run.status, 0, `${flags.join(' ')}: ${run.stderr}`);
      const expected = await expectedPromise;
      jsonLines<EmbeddingLine>(run.stdout).forEach((line, i) => {
        assert.ok(maxAbsDiff(line.embedding, expected.row(i)) < 1e-6, `${flags.join(' ')}: text ${i}`);
      });
    }
  } finally {
    await model.dispose();
    await short.dispose();
  }
});

test('encode --precision: binary rows per text; int8 with ranges over the whole input, as encode() takes them', async () => {
  const texts = ['one', 'two words', 'three words here', 'and a fourth'];
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const floats = await model.encode(texts);
    for (const precision of ['ubinary', 'binary', 'int8', 'uint8'] as const) {
      // --batch-size 1 makes every chunk small, so int8 ranges taken per chunk would differ.
      const run = cli(['encode', '-m', TINY_BERT, '--precision', precision, '--batch-size', '1'], texts.join('\n'));
      assert.is(run.status, 0, run.stderr);
      const expected = quantizeEmbeddings(floats, precision);
      jsonLines<EmbeddingLine>(run.stdout).forEach((line, i) => {
        assert.is(line.precision, precision);
        assert.equal(line.embedding, Array.from(expected.data.subarray(i * expected.bytesPerRow, (i + 1) * expected.bytesPerRow)), `${precision} ${i}`);
      });
    }
  } finally {
    await model.dispose();
  }
});

test('rerank: the query against each passage (arguments or stdin), scores in input order', async () => {
  const passages = ['Paris is the capital of France.', 'Berlin is in Germany.', 'Cats sleep a lot.'];
  const model = await CrossEncoder.fromPretrained(TINY_CE);
  try {
    const expected = await model.predict(passages.map((p) => ['capital of France', p] as [string, string]));
    for (const run of [cli(['rerank', '-m', TINY_CE, 'capital of France', ...passages]), cli(['rerank', '-m', TINY_CE, 'capital of France'], `${passages.join('\n')}\n`)]) {
      assert.is(run.status, 0, run.stderr);
      const lines = jsonLines<{ text: string; score: number }>(run.stdout);
      assert.equal(lines.map((line) => line.text), passages);
      lines.forEach((line, i) => assert.ok(Math.abs(line.score - (expected[i] as number)) < 1e-6, `passage ${i}`));
    }
    const noQuery = cli(['rerank', '-m', TINY_CE]);
    assert.is(noQuery.status, 2);
    assert.match(noQuery.stderr, /rerank needs a query/);
  } finally {
    await model.dispose();
  }
});

test('sparse: indices and weights per text, as SparseEncoder.encode gives', async () => {
  const texts = ['the weather is lovely', 'splade sparse vectors'];
  const run = cli(['sparse', '-m', TINY_SPLADE, '--max-active-dims', '5', ...texts]);
  assert.is(run.status, 0, run.stderr);
  const model = await SparseEncoder.fromPretrained(TINY_SPLADE);
  try {
    const expected = await model.encode(texts, { maxActiveDims: 5 });
    jsonLines<{ text: string; dimension: number; indices: number[]; values: number[] }>(run.stdout).forEach((line, i) => {
      const row = expected.row(i);
      assert.is(line.text, texts[i]);
      assert.is(line.dimension, model.dimension);
      assert.equal(line.indices, Array.from(row.indices));
      assert.ok(maxAbsDiff(line.values, row.values) < 1e-5, `text ${i}`);
    });
  } finally {
    await model.dispose();
  }
});

test('unknown flags and missing values are usage errors (exit 2), never texts to encode', () => {
  for (const [args, message] of [
    [['encode', '--model', TINY_BERT, '--normalise', 'x'], /unknown option '--normalise' — did you mean '--normalize'\?/],
    [['encode', '--modle', TINY_BERT, 'x'], /unknown option '--modle' — did you mean '--model'\?/],
    [['encode', '--model'], /argument missing/],
    [['encode', '-m', TINY_BERT, '--batch-size', 'many', 'x'], /--batch-size expects a positive integer/],
    [['encode', '-m', TINY_BERT, '--precision', 'int4', 'x'], /--precision expects one of float32, int8, uint8, binary, ubinary/],
    [['encode', '-m', TINY_BERT, '--cpu-engine', 'fast', 'x'], /--cpu-engine expects one of onnxruntime, int8, bf16x3/],
    [['rerank', '-m', TINY_CE, '--normalize', 'q', 'p'], /unknown option '--normalize'/],
    [['encod', 'x'], /unknown command 'encod' — did you mean 'encode'\?/],
    [[], /a command is required/],
  ] as Array<[string[], RegExp]>) {
    const run = cli(args);
    assert.is(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.is(run.stdout, '', `${args.join(' ')} prints nothing on stdout`);
    assert.match(run.stderr, message, args.join(' '));
    assert.match(run.stderr, /usage: sentencekit/, `${args.join(' ')} shows the usage`);
  }
});

test('--help and -h print the usage on stdout with exit 0; --version prints the version', () => {
  for (const args of [['--help'], ['-h'], ['encode', '--help'], ['rerank', '-h'], ['sparse', '--help']]) {
    const run = cli(args);
    assert.is(run.status, 0, args.join(' '));
    assert.match(run.stdout, /^usage: sentencekit <command>/);
    assert.match(run.stdout, /--prompt-name/);
    assert.is(run.stderr, '');
  }
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const args of [['--version'], ['-v'], ['encode', '--version']]) {
    const run = cli(args);
    assert.is(run.status, 0);
    assert.is(run.stdout, `${version}\n`);
  }
});

test('a model failure is one error line and exit code 1', () => {
  const run = cli(['encode', '--model', join(FIXTURES, 'no-such-model'), 'x']);
  assert.is(run.status, 1);
  assert.match(run.stderr, /^sentencekit: ERR_MODEL_LOAD: /);
  assert.is(run.stderr.trim().split('\n').length, 1);
  const wrongClass = cli(['encode', '--model', TINY_CE, 'x']);
  assert.is(wrongClass.status, 1);
  assert.match(wrongClass.stderr, /use CrossEncoder\.fromPretrained/);
});

test.run();
