// cpu-level-independent: the levels stage does not run this file again.
// A folder loaded with the wrong class names the right one (issue 16) instead of loading and
// failing later on a tensor shape.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, SentenceKitError, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { detectModelClass } from '../../lib/model-class.js';
import { rejectsError } from '../helpers/errors.js';
import { copyFixture, FIXTURES, TINY_BERT } from '../helpers/fixtures.js';

const fixture = (name: string): string => join(FIXTURES, name);

test('each fixture is detected as the class that saved it', async () => {
  const expected: Array<[string, string]> = [
    ['tiny-bert', 'SentenceTransformer'],
    ['tiny-mpnet', 'SentenceTransformer'],
    ['tiny-bert-dense', 'SentenceTransformer'],
    ['tiny-ce-1label', 'CrossEncoder'],
    ['tiny-ce-3label', 'CrossEncoder'],
    ['tiny-ce-roberta', 'CrossEncoder'],
    ['tiny-splade', 'SparseEncoder'],
    ['tiny-sparse-router', 'SparseEncoder'],
  ];
  for (const [name, className] of expected) assert.is((await detectModelClass(fixture(name)))?.className, className, name);
});

test('SentenceTransformer on a CrossEncoder or SPLADE folder names the right class', async () => {
  await rejectsError(() => SentenceTransformer.fromPretrained(fixture('tiny-ce-1label')), SentenceKitError,
    /this folder is a CrossEncoder \(BertForSequenceClassification\): use CrossEncoder\.fromPretrained/);
  await rejectsError(() => SentenceTransformer.fromPretrained(fixture('tiny-ce-roberta')), SentenceKitError,
    /this folder is a CrossEncoder \(RobertaForSequenceClassification\): use CrossEncoder\.fromPretrained/);
  await rejectsError(() => SentenceTransformer.fromPretrained(fixture('tiny-splade')), SentenceKitError,
    /this folder is a SparseEncoder \(BertForMaskedLM\): use SparseEncoder\.fromPretrained/);
});

test('CrossEncoder and SparseEncoder on the wrong folders name the right class', async () => {
  await rejectsError(() => CrossEncoder.fromPretrained(TINY_BERT), SentenceKitError, /this folder is a SentenceTransformer \(BertModel\): use SentenceTransformer\.fromPretrained/);
  await rejectsError(() => CrossEncoder.fromPretrained(fixture('tiny-splade')), SentenceKitError, /use SparseEncoder\.fromPretrained/);
  await rejectsError(() => SparseEncoder.fromPretrained(TINY_BERT), SentenceKitError, /this folder is a SentenceTransformer \(BertModel\): use SentenceTransformer\.fromPretrained/);
  await rejectsError(() => SparseEncoder.fromPretrained(fixture('tiny-ce-3label')), SentenceKitError, /this folder is a CrossEncoder \(BertForSequenceClassification\)/);
});

test('without model_type, the modules (or a classification head) tell', async () => {
  const ce = copyFixture(fixture('tiny-ce-1label'));
  const splade = copyFixture(fixture('tiny-splade'));
  try {
    // A CrossEncoder saved before sentence-transformers 4: no modules.json, no model_type.
    rmSync(join(ce.dir, 'config_sentence_transformers.json'));
    rmSync(join(ce.dir, 'modules.json'));
    await rejectsError(() => SentenceTransformer.fromPretrained(ce.dir), SentenceKitError, /use CrossEncoder\.fromPretrained/);
    const reranker = await CrossEncoder.fromPretrained(ce.dir);
    await reranker.dispose();
    writeFileSync(join(splade.dir, 'config_sentence_transformers.json'), '{}');
    await rejectsError(() => SentenceTransformer.fromPretrained(splade.dir), SentenceKitError, /this folder is a SparseEncoder \(BertForMaskedLM\)/);
  } finally {
    ce.cleanup();
    splade.cleanup();
  }
});

test('the right class still loads each folder', async () => {
  for (const model of [
    await SentenceTransformer.fromPretrained(TINY_BERT),
    await CrossEncoder.fromPretrained(fixture('tiny-ce-1label')),
    await SparseEncoder.fromPretrained(fixture('tiny-splade')),
    await SparseEncoder.fromPretrained(fixture('tiny-sparse-router')),
  ]) await model.dispose();
});

test.run();
