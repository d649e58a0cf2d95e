// cpu-level-independent: the levels stage does not run this file again.
// Model folders without tokenizer.json: the tokenizer is converted from vocab.txt, vocab.json +
// merges.txt or a SentencePiece model as transformers 5 converts them, and must equal what
// AutoTokenizer.from_pretrained builds from the same files (test/fixtures/legacy-tokenizers,
// references from test/tools/legacy_tokenizer_fixtures.py): the same pipeline component by
// component, the same added tokens with the same flags, and the same ids on every text.
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { convertLegacyTokenizer } from '../../lib/legacy-tokenizer.js';
import { rejectsError } from '../helpers/errors.js';
import { copyFixture, FIXTURES, maxAbsDiff, TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const LEGACY = join(FIXTURES, 'legacy-tokenizers');

interface FolderReference {
  class: string;
  pipeline: Record<string, unknown>;
  ids: number[][];
  pad_id: number | null;
}

interface Reference {
  texts: string[];
  folders: Record<string, FolderReference>;
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'legacy-tokenizers.reference.json'), 'utf8')) as Reference;
const FOLDERS = Object.keys(reference.folders);

type Json = Record<string, unknown>;

/** Our document in the reference's form: vocabulary and merges by size, charsmaps by size and digest. */
function comparable(document: Json): Json {
  const model = { ...(document.model as Json) };
  const vocab = model.vocab;
  model.vocab = Array.isArray(vocab) ? vocab.length : Object.keys(vocab as Json).length;
  if (Array.isArray(model.merges)) model.merges = model.merges.length;
  delete model.sentencekit_exact_scores;
  const normalizer = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const n = { ...(value as Json) };
    if (n.type === 'Precompiled') {
      const bytes = Buffer.from(n.precompiled_charsmap as string, 'base64');
      n.precompiled_charsmap = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    }
    if (Array.isArray(n.normalizers)) n.normalizers = n.normalizers.map(normalizer);
    return n;
  };
  const { truncation: _t, padding: _p, ...rest } = document;
  return { ...rest, model, normalizer: normalizer(document.normalizer) };
}

test('the fixtures cover every family and option', () => {
  assert.equal(FOLDERS.sort(), ['albert', 'bert-cased', 'bert-keep-accents', 'bert-no-chinese', 'bert-uncased', 'gpt2', 'roberta', 'roberta-prefix-space', 't5', 'xlmr']);
  for (const name of FOLDERS) {
    assert.not.ok(readdirSync(join(LEGACY, name)).includes('tokenizer.json'), `${name} has no tokenizer.json`);
    assert.is(reference.folders[name]!.ids.length, reference.texts.length);
  }
});

for (const name of FOLDERS) {
  test(`${name}: the converted pipeline is transformers' (${reference.folders[name]!.class})`, async () => {
    const ours = comparable(JSON.parse(await convertLegacyTokenizer(join(LEGACY, name))) as Json);
    const theirs = reference.folders[name]!.pipeline;
    for (const key of Object.keys(theirs)) assert.equal(ours[key], theirs[key], `${name}: ${key}`);
    assert.equal(Object.keys(ours).sort(), Object.keys(theirs).sort());
  });
}

/** A copy of tiny-bert whose tokenizer files are `name`'s, so model.tokenize() runs that tokenizer. */
function modelWithTokenizer(name: string): { dir: string; cleanup(): void } {
  const copy = copyFixture(TINY_BERT);
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) rmSync(join(copy.dir, file), { force: true });
  cpSync(join(LEGACY, name), copy.dir, { recursive: true });
  return copy;
}

for (const name of FOLDERS) {
  test(`${name}: ids equal AutoTokenizer's on all ${reference.texts.length} texts`, async () => {
    const copy = modelWithTokenizer(name);
    try {
      const model = await SentenceTransformer.fromPretrained(copy.dir, { maxSeqLength: 100_000 });
      try {
        const expected = reference.folders[name]!.ids;
        const { inputIds, attentionMask, shape } = await model.tokenize(reference.texts);
        assert.is(shape[0], reference.texts.length);
        const mismatches: string[] = [];
        for (let row = 0; row < shape[0]; row += 1) {
          const ids: number[] = [];
          for (let t = 0; t < shape[1]; t += 1) if (attentionMask[row * shape[1] + t] === 1) ids.push(inputIds[row * shape[1] + t] as number);
          if (JSON.stringify(ids) !== JSON.stringify(expected[row])) mismatches.push(`${JSON.stringify(reference.texts[row]?.slice(0, 40))}: ${JSON.stringify(ids.slice(0, 12))} vs ${JSON.stringify(expected[row]?.slice(0, 12))}`);
        }
        assert.equal(mismatches, [], `${name}: ${mismatches.length} texts differ`);
        const pad = reference.folders[name]!.pad_id;
        if (pad !== null) {
          const padded = [...inputIds].filter((_, i) => attentionMask[i] === 0);
          assert.ok(padded.length > 0 && padded.every((id) => id === pad), `${name}: padded with the pad token (${pad})`);
        }
      } finally {
        await model.dispose();
      }
    } finally {
      copy.cleanup();
    }
  });
}

test('end to end: tiny-bert without tokenizer.json encodes as sentence-transformers does', async () => {
  // legacy_tokenizer_fixtures.py checks that Python encodes this copy exactly as tiny-bert.
  const copy = copyFixture(TINY_BERT);
  rmSync(join(copy.dir, 'tokenizer.json'));
  const expected = tinyBertReference();
  try {
    const model = await SentenceTransformer.fromPretrained(copy.dir);
    try {
      const embeddings = await model.encode(expected.texts);
      assert.is(embeddings.rows, expected.texts.length);
      let worst = 0;
      expected.embeddings.mean.normalized.forEach((row, i) => { worst = Math.max(worst, maxAbsDiff(embeddings.row(i), row)); });
      assert.ok(worst <= 1e-5, `max |diff| ${worst}`);
    } finally {
      await model.dispose();
    }
  } finally {
    copy.cleanup();
  }
});

test('a folder no converter covers is ERR_MODEL_LOAD saying what is missing', async () => {
  const cases: Array<[string, (dir: string) => void, RegExp]> = [
    ['no tokenizer files', (dir) => rmSync(join(dir, 'vocab.txt')), /vocab\.txt not found/],
    ['an unsupported class', (dir) => writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'LlamaTokenizer' })), /tokenizer class LlamaTokenizer/],
    ['no class at all', (dir) => { writeFileSync(join(dir, 'tokenizer_config.json'), '{}'); writeFileSync(join(dir, 'config.json'), '{}'); }, /no tokenizer_class/],
    ['a corrupt SentencePiece model', (dir) => {
      cpSync(join(LEGACY, 't5'), dir, { recursive: true });
      writeFileSync(join(dir, 'spiece.model'), Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    }, /not a SentencePiece model/],
    ['a bad merges line', (dir) => {
      cpSync(join(LEGACY, 'roberta'), dir, { recursive: true });
      writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\nĠ t\na b c\n');
    }, /merge 2 is not two space-separated pieces/],
  ];
  for (const [what, change, message] of cases) {
    const copy = copyFixture(TINY_BERT);
    try {
      rmSync(join(copy.dir, 'tokenizer.json'));
      change(copy.dir);
      await rejectsError(SentenceTransformer.fromPretrained(copy.dir), SentenceKitError, message, what);
      const code = await SentenceTransformer.fromPretrained(copy.dir).then(() => 'loaded', (error: SentenceKitError) => error.code);
      assert.is(code, 'ERR_MODEL_LOAD', what);
    } finally {
      copy.cleanup();
    }
  }
});

test.run();
