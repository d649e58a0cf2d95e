// The Hub's clip-ViT-B-32 folder exactly as it ships (issue 23), at tiny dimensions
// (test/tools/clip_hub_fixtures.py): 0_CLIPModel/ holds pytorch_model.bin and vocab.json +
// merges.txt, no model.safetensors and no tokenizer.json. Against Python sentence-transformers
// 6.0.1 / transformers 5 on the same folder: the tokenizer transformers builds from the two files
// (component by component; ids of every fixture text, truncated as sentence-transformers
// truncates, and untruncated over every code point), then text and image embeddings through
// the weights read from the pickle, bf16x3 within 1e-5 and int8 at cosine ≥ 0.999.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type Embeddings, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { convertLegacyTokenizer } from '../../lib/legacy-tokenizer.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES, maxAbsDiff, worstCosine } from '../helpers/fixtures.js';

const NAME = 'tiny-clip-hub-bin';
const DIR = join(FIXTURES, NAME);
const MODULE = join(DIR, '0_CLIPModel');

interface Reference {
  tokenizer_class: string;
  pipeline: Record<string, unknown>;
  texts: string[];
  input_ids: number[][];
  full_texts: string[];
  full_ids: number[][];
  code_point_line_count: number;
  code_point_ids_sha256: string[];
  text_embeddings: number[][];
  image_files: string[];
  image_embeddings: number[][];
  student_embeddings: number[][];
}

const reference = JSON.parse(readFileSync(join(FIXTURES, `${NAME}.reference.json`), 'utf8')) as Reference;

/** test/tools/clip_hub_fixtures.py's lines: every code point but the surrogates, 64 a line. */
function codePointLines(): string[] {
  const lines: string[] = [];
  for (let first = 0; first < 0x110000; first += 64) {
    let line = '';
    for (let i = 0; i < 64; i += 1) {
      const c = first + i;
      if (c >= 0xd800 && c <= 0xdfff) continue;
      if (i % 4 === 3) line += ' ';
      if (i % 9 === 8) line += 'A';
      if (i % 16 === 15) line += '7';
      line += String.fromCodePoint(c);
    }
    if (line !== '') lines.push(line);
  }
  return lines;
}

function firstMismatches(actual: number[][], expected: number[][], texts: string[]): string[] {
  const out: string[] = [];
  actual.forEach((ids, i) => {
    if (JSON.stringify(ids) !== JSON.stringify(expected[i])) {
      out.push(`${JSON.stringify(texts[i]?.slice(0, 40))}: ${JSON.stringify(ids.slice(0, 16))} vs ${JSON.stringify(expected[i]?.slice(0, 16))}`);
    }
  });
  return out.slice(0, 5);
}

test("the fixture is the Hub's layout: pytorch_model.bin and vocab.json + merges.txt, nothing converted", () => {
  assert.equal(readdirSync(MODULE).sort(), ['config.json', 'merges.txt', 'preprocessor_config.json', 'pytorch_model.bin', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.json']);
  assert.is(reference.tokenizer_class, 'CLIPTokenizer');
});

test("the tokenizer built from vocab.json + merges.txt is transformers' CLIPTokenizer, component by component", async () => {
  const ours = JSON.parse(await convertLegacyTokenizer(MODULE)) as Record<string, unknown>;
  const model = { ...(ours.model as Record<string, unknown>) };
  model.vocab = Object.keys(model.vocab as object).length;
  model.merges = (model.merges as unknown[]).length;
  const { truncation: _t, padding: _p, ...rest } = ours;
  const comparable: Record<string, unknown> = { ...rest, model };
  for (const key of Object.keys(reference.pipeline)) assert.equal(comparable[key], reference.pipeline[key], key);
  assert.equal(Object.keys(comparable).sort(), Object.keys(reference.pipeline).sort());
});

test('ids equal Python on every fixture text (truncated at 77 as sentence-transformers does), untruncated on the corpus and on every code point', async () => {
  const model = await SentenceTransformer.fromPretrained(DIR);
  try {
    const truncated = await model.tokenize(reference.texts);
    const [rows, length] = truncated.shape;
    const ids: number[][] = [];
    for (let r = 0; r < rows; r += 1) {
      const row: number[] = [];
      for (let t = 0; t < length; t += 1) if (truncated.attentionMask[r * length + t] === 1) row.push(truncated.inputIds[r * length + t] as number);
      ids.push(row);
    }
    assert.equal(firstMismatches(ids, reference.input_ids, reference.texts), []);
    // Padding is the pad token's id (<|endoftext|>), as transformers pads.
    const padded = [...truncated.inputIds].filter((_, i) => truncated.attentionMask[i] === 0);
    assert.ok(padded.length > 0 && padded.every((id) => id === reference.input_ids[0]?.at(-1)));

    const full = (await model.untruncatedTokens(reference.full_texts)).map((row) => [...row.ids]);
    assert.equal(firstMismatches(full, reference.full_ids, reference.full_texts), []);

    const lines = codePointLines();
    assert.is(lines.length, reference.code_point_line_count);
    const digests = (await model.untruncatedTokens(lines)).map((row) => createHash('sha256').update([...row.ids].join(',')).digest('hex').slice(0, 16));
    const differing = digests.map((digest, i) => (digest === reference.code_point_ids_sha256[i] ? -1 : i)).filter((i) => i >= 0);
    assert.equal(differing.slice(0, 5).map((i) => `line ${i} from U+${(i * 64).toString(16)}`), [], `${differing.length} code point lines differ`);
  } finally {
    await model.dispose();
  }
});

for (const precision of ['bf16x3', 'int8'] as const) {
  test(`${precision} engine: text and image-file embeddings of the folder loaded by path match Python`, async () => {
    const model = await SentenceTransformer.fromPretrained(DIR, { backend: `sentencekit-${precision}` });
    try {
      assert.equal(model.modalities, ['text', 'image']);
      const files = reference.image_files.map((name) => ({ path: join(FIXTURES, `${NAME}.images`, name) }));
      // One mixed call keeps its order, as in Python.
      const embeddings = (await model.encode([...reference.texts, ...files])) as Embeddings;
      const width = reference.text_embeddings[0]?.length ?? 0;
      const texts = embeddings.data.subarray(0, reference.texts.length * width);
      const images = embeddings.data.subarray(reference.texts.length * width);
      if (precision === 'bf16x3') {
        const textDiff = maxAbsDiff(texts, reference.text_embeddings.flat());
        const imageDiff = maxAbsDiff(images, reference.image_embeddings.flat());
        console.log(`  bf16x3: text max |diff| ${textDiff.toExponential(2)}, image max |diff| ${imageDiff.toExponential(2)}`);
        assert.ok(textDiff <= 1e-5 && imageDiff <= 1e-5, `max |diff| ${textDiff} / ${imageDiff}`);
      } else {
        const cosine = Math.min(worstCosine(texts, reference.text_embeddings), worstCosine(images, reference.image_embeddings));
        console.log(`  int8: worst cosine ${cosine.toFixed(6)}`);
        assert.ok(cosine >= 0.999, `worst cosine ${cosine}`);
      }
    } finally {
      await model.dispose();
    }
  });
}

test('the multilingual student saved as pytorch_model.bin only (transformer and Dense) runs on the own engine: bf16x3 within 1e-5, int8 at cosine >= 0.999', async () => {
  const dir = join(FIXTURES, 'tiny-clip-multilingual-bin');
  assert.ok(readdirSync(dir).includes('pytorch_model.bin') && !readdirSync(dir).includes('model.safetensors') && !readdirSync(dir).includes('onnx'));
  for (const precision of ['bf16x3', 'int8'] as const) {
    const model = await SentenceTransformer.fromPretrained(dir, { backend: `sentencekit-${precision}` });
    try {
      const embeddings = (await model.encode(reference.texts)) as Embeddings;
      if (precision === 'bf16x3') {
        const diff = maxAbsDiff(embeddings.data, reference.student_embeddings.flat());
        console.log(`  student from pytorch_model.bin, bf16x3: max |diff| ${diff.toExponential(2)}`);
        assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
      } else {
        const cosine = worstCosine(embeddings.data, reference.student_embeddings);
        assert.ok(cosine >= 0.999, `worst cosine ${cosine}`);
      }
    } finally {
      await model.dispose();
    }
  }
  // ONNX Runtime needs an export, which the folder lacks.
  await rejectsError(() => SentenceTransformer.fromPretrained(dir), SentenceKitError, /ONNX model not found: .*onnx\/model\.onnx .*cpuEngine/);
});

test('a hostile or broken pytorch_model.bin is ERR_MODEL_LOAD naming the file; nothing is written into the folder', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'sentencekit-clip-hub-bin-'));
  const dir = join(parent, 'model');
  try {
    cpSync(DIR, dir, { recursive: true });
    const weights = join(dir, '0_CLIPModel', 'pytorch_model.bin');
    const original = readFileSync(weights);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated', original.subarray(0, original.length >> 1), /pytorch_model\.bin: not a readable PyTorch checkpoint/],
      ['not a checkpoint', Buffer.from('definitely not a zip archive, nor a pickle'), /pytorch_model\.bin: not a readable PyTorch checkpoint/],
      // An executable global in data.pkl, same length: refused by name by the restricted pickle machine.
      ['a pickle calling os.system', Buffer.from(original.toString('latin1').replace('collections\nOrderedDict', 'posix\nsystem'.padEnd(23, '\n')), 'latin1'),
        /pytorch_model\.bin: cannot read the pickled state dict: refusing unknown global posix\.system/],
    ];
    for (const [what, bytes, pattern] of cases) {
      writeFileSync(weights, bytes);
      await rejectsError(() => SentenceTransformer.fromPretrained(dir), SentenceKitError, pattern, what);
    }
    rmSync(weights);
    await rejectsError(() => SentenceTransformer.fromPretrained(dir), SentenceKitError, /model\.safetensors not found, nor .*pytorch_model\.bin/);
    assert.equal(readdirSync(join(dir, '0_CLIPModel')).sort(), ['config.json', 'merges.txt', 'preprocessor_config.json', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.json']);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test.run();
