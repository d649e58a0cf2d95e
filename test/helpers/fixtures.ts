/**
 * Paths to the committed fixtures and helpers to derive model-folder variants from them
 * (a different pooling config, a corrupt file) in a temporary directory.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { nativeBinding, type NativeSentenceEncoder } from '../../lib/binding.js';

export const FIXTURES = join(__dirname, '..', 'fixtures');
export const TINY_BERT = join(FIXTURES, 'tiny-bert');

export interface TinyBertReference {
  max_seq_length: number;
  texts: string[];
  tokens: Array<{ input_ids: number[]; attention_mask: number[]; token_type_ids: number[] }>;
  embeddings: Record<'mean' | 'cls' | 'max', { raw: number[][]; normalized: number[][] }>;
}

export function tinyBertReference(): TinyBertReference {
  return JSON.parse(readFileSync(join(FIXTURES, 'tiny-bert.reference.json'), 'utf8')) as TinyBertReference;
}

/** tiny-bert through the native binding directly, mean pooling, no Normalize module. */
export function loadTinyBertNative(): Promise<NativeSentenceEncoder> {
  return nativeBinding().loadSentenceEncoder({
    modelPath: join(TINY_BERT, 'onnx', 'model.onnx'),
    tokenizerPath: join(TINY_BERT, 'tokenizer.json'),
    maxLength: tinyBertReference().max_seq_length,
    pooling: ['mean'],
  });
}

export type PoolingSchema = 'old' | 'new';

/** pooling-configs.json: each mode's 1_Pooling/config.json in both schemas. */
export function poolingConfig(mode: string, schema: PoolingSchema): unknown {
  const all = JSON.parse(readFileSync(join(FIXTURES, 'pooling-configs.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const config = all[mode]?.[schema];
  if (config === undefined) throw new Error(`pooling-configs.json has no ${schema} config for ${mode}`);
  return config;
}

/** A scratch copy of a fixture folder, removed by `cleanup()`. */
export function copyFixture(source = TINY_BERT): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sentencekit-fixture-'));
  cpSync(source, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A copy of tiny-bert (or `source`) with the given pooling config and without its Normalize
 * module, so normalization is only what encode() asks for.
 */
export function tinyBertWithPooling(mode: string, schema: PoolingSchema, source = TINY_BERT): { dir: string; cleanup(): void } {
  const copy = copyFixture(source);
  writeFileSync(join(copy.dir, '1_Pooling', 'config.json'), JSON.stringify(poolingConfig(mode, schema), null, 2));
  const modulesFile = join(copy.dir, 'modules.json');
  const modules = JSON.parse(readFileSync(modulesFile, 'utf8')) as Array<{ type: string }>;
  writeFileSync(modulesFile, JSON.stringify(modules.filter((m) => !m.type.endsWith('Normalize')), null, 2));
  return copy;
}

/** Largest |a - b| over two equally long sequences. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

/** The smallest cosine between each row of `actual` (row-major, the rows of `expected` wide) and its row of `expected`. */
export function worstCosine(actual: Float32Array, expected: number[][]): number {
  const width = expected[0]?.length ?? 0;
  let worst = 1;
  expected.forEach((row, r) => {
    let dot = 0;
    let a = 0;
    let b = 0;
    row.forEach((value, c) => {
      const x = actual[r * width + c] as number;
      dot += x * value;
      a += x * x;
      b += value * value;
    });
    worst = Math.min(worst, dot / Math.sqrt(a * b));
  });
  return worst;
}
