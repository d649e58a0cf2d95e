// cpu-level-independent: the levels stage does not run this file again.
// model.tokenize(texts) as sentence-transformers' tokenize (issue 16): input ids, attention
// mask and (for BERT-style tokenizers) token type ids, truncated to max_seq_length and padded
// to the longest text, checked against the ids Python's tokenizer gave for the fixtures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceKitError, SentenceTransformer, type TokenizedBatch } from '../../lib/index.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES, TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

function row(values: Int32Array, batch: TokenizedBatch, i: number): number[] {
  const length = batch.shape[1];
  return Array.from(values.subarray(i * length, (i + 1) * length));
}

test('tiny-bert: ids, mask and token type ids as Python tokenized them, padded to the longest', async () => {
  const reference = tinyBertReference();
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const batch = await model.tokenize(reference.texts);
    const longest = Math.max(...reference.tokens.map((t) => t.input_ids.length));
    assert.equal(batch.shape, [reference.texts.length, longest]);
    assert.ok(batch.tokenTypeIds instanceof Int32Array, 'BERT returns token_type_ids');
    reference.tokens.forEach((expected, i) => {
      const pad = longest - expected.input_ids.length;
      // [PAD] is id 0 in BERT's vocabulary; padding is on the right.
      assert.equal(row(batch.inputIds, batch, i), [...expected.input_ids, ...Array(pad).fill(0)], `input_ids ${i}`);
      assert.equal(row(batch.attentionMask, batch, i), [...expected.attention_mask, ...Array(pad).fill(0)], `attention_mask ${i}`);
      assert.equal(row(batch.tokenTypeIds as Int32Array, batch, i), [...expected.token_type_ids, ...Array(pad).fill(0)], `token_type_ids ${i}`);
    });
    // One string is one row; no texts is an empty batch.
    const one = await model.tokenize(reference.texts[0] as string);
    assert.equal(one.shape, [1, reference.tokens[0]!.input_ids.length]);
    const none = await model.tokenize([]);
    assert.equal(none.shape, [0, 0]);
  } finally {
    await model.dispose();
  }
});

test('truncation to maxSeqLength, including one set at load', async () => {
  const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const short = await SentenceTransformer.fromPretrained(TINY_BERT, { maxSeqLength: 16 });
  try {
    assert.is((await model.tokenize(long)).shape[1], model.maxSeqLength);
    assert.is(short.maxSeqLength, 16);
    const batch = await short.tokenize([long, 'hi']);
    assert.equal(batch.shape, [2, 16]);
    // Truncated rows keep their closing [SEP] (102), as transformers truncates.
    assert.is(batch.inputIds[15], 102);
    // encode() truncates there too: two texts that share their first 14 tokens embed the same.
    const cut = await short.encode([long, Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')]);
    assert.equal(Array.from(cut.row(0)), Array.from(cut.row(1)));
  } finally {
    await model.dispose();
    await short.dispose();
  }
});

test('tiny-mpnet: no token_type_ids, as MPNet\'s tokenizer returns none', async () => {
  const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-mpnet.reference.json'), 'utf8')) as { texts: string[]; input_ids: number[][] };
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-mpnet'));
  try {
    const batch = await model.tokenize(reference.texts);
    assert.is(batch.tokenTypeIds, undefined);
    const longest = Math.max(...reference.input_ids.map((ids) => ids.length));
    assert.equal(batch.shape, [reference.texts.length, longest]);
    reference.input_ids.forEach((ids, i) => {
      assert.equal(row(batch.inputIds, batch, i).slice(0, ids.length), ids, `input_ids ${i}`);
      assert.equal(row(batch.attentionMask, batch, i), [...Array(ids.length).fill(1), ...Array(longest - ids.length).fill(0)], `attention_mask ${i}`);
    });
  } finally {
    await model.dispose();
  }
});

test('tokenize after dispose rejects with ERR_DISPOSED; bad input is a TypeError', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  await rejectsError(() => model.tokenize([1] as never), TypeError);
  await model.dispose();
  await rejectsError(() => model.tokenize('x'), SentenceKitError, /disposed/);
});

test.run();
