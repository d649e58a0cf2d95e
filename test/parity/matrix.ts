// The parity table: each row is one model class on one architecture's fixture (random weights of
// the real architecture, with Python sentence-transformers 6.0.1's outputs beside it, made by
// test/tools), run on every engine the row names. matrix.parity.test.ts generates the tests:
// outputs against Python at the engine's tolerance (engine-checks.ts), and for sentencekit's own
// engines, outputs independent of lanes and batching. Adding an architecture or an engine to a
// class is one line here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FIXTURES } from '../helpers/fixtures.js';

/** The engines as sentence-transformers names the backend (`backend: 'onnx'`), plus sentencekit's own. */
export type Engine = 'onnx' | 'sentencekit-int8' | 'sentencekit-bf16x3';
export type ModelClass = 'SentenceTransformer' | 'CrossEncoder' | 'SparseEncoder';

export interface ParityRow {
  modelClass: ModelClass;
  architecture: string;
  /** The model folder, relative to test/fixtures. */
  fixture: string;
  /** Its Python reference, relative to test/fixtures. */
  reference: string;
  engines: Engine[];
  /** A max |diff| bar tighter than the engine's own for this row (float32-accurate engines). */
  tighter?: Partial<Record<Engine, number>>;
}

const ALL: Engine[] = ['onnx', 'sentencekit-int8', 'sentencekit-bf16x3'];
const OWN: Engine[] = ['sentencekit-int8', 'sentencekit-bf16x3'];

export const PARITY: ParityRow[] = [
  { modelClass: 'SentenceTransformer', architecture: 'bert', fixture: 'tiny-bert', reference: 'tiny-bert.reference.json', engines: ALL },
  { modelClass: 'SentenceTransformer', architecture: 'mpnet', fixture: 'tiny-mpnet', reference: 'tiny-mpnet.reference.json', engines: ['onnx'] },
  { modelClass: 'CrossEncoder', architecture: 'bert', fixture: 'int8-engine/tiny-ce-3label', reference: 'int8-engine/tiny-ce-3label.reference.json', engines: OWN },
  { modelClass: 'CrossEncoder', architecture: 'roberta', fixture: 'tiny-ce-roberta', reference: 'tiny-ce-roberta.reference.json', engines: ['onnx'] },
  { modelClass: 'SparseEncoder', architecture: 'bert', fixture: 'int8-engine/tiny-splade', reference: 'int8-engine/tiny-splade.reference.json', engines: OWN },
  // Issue 22's architectures on the own engine (test/tools/distilbert_modernbert_fixtures.py).
  { modelClass: 'SentenceTransformer', architecture: 'distilbert', fixture: 'tiny-distilbert', reference: 'tiny-distilbert.reference.json', engines: OWN, tighter: { 'sentencekit-bf16x3': 1e-5 } },
  { modelClass: 'SentenceTransformer', architecture: 'modernbert', fixture: 'tiny-modernbert', reference: 'tiny-modernbert.reference.json', engines: OWN, tighter: { 'sentencekit-bf16x3': 1e-5 } },
  { modelClass: 'CrossEncoder', architecture: 'distilbert', fixture: 'tiny-ce-distilbert', reference: 'tiny-ce-distilbert.reference.json', engines: OWN, tighter: { 'sentencekit-bf16x3': 1e-4 } },
  { modelClass: 'CrossEncoder', architecture: 'modernbert (cls)', fixture: 'tiny-ce-modernbert-cls', reference: 'tiny-ce-modernbert-cls.reference.json', engines: OWN, tighter: { 'sentencekit-bf16x3': 1e-4 } },
  { modelClass: 'CrossEncoder', architecture: 'modernbert (mean)', fixture: 'tiny-ce-modernbert-mean', reference: 'tiny-ce-modernbert-mean.reference.json', engines: OWN, tighter: { 'sentencekit-bf16x3': 1e-4 } },
  { modelClass: 'SparseEncoder', architecture: 'distilbert', fixture: 'tiny-splade-distilbert', reference: 'tiny-splade-distilbert.reference.json', engines: OWN },
  { modelClass: 'SparseEncoder', architecture: 'modernbert', fixture: 'tiny-splade-modernbert', reference: 'tiny-splade-modernbert.reference.json', engines: OWN },
  // Decoder embedding models on the own engine (test/tools/decoder_fixtures.py), with their query prompts.
  { modelClass: 'SentenceTransformer', architecture: 'qwen3', fixture: 'tiny-qwen3', reference: 'tiny-qwen3.reference.json', engines: OWN, tighter: { 'sentencekit-bf16x3': 1e-5 } },
  { modelClass: 'SentenceTransformer', architecture: 'gemma3', fixture: 'tiny-gemma3', reference: 'tiny-gemma3.reference.json', engines: OWN, tighter: { 'sentencekit-bf16x3': 1e-5 } },
];

/** The load options that pick `engine`. */
export function engineOptions(engine: Engine): { backend: Engine } {
  return { backend: engine };
}

export function fixtureDir(row: ParityRow): string {
  return join(FIXTURES, row.fixture);
}

export function readReference<T>(row: ParityRow): T {
  return JSON.parse(readFileSync(join(FIXTURES, row.reference), 'utf8')) as T;
}

export function rowName(row: ParityRow, engine: Engine): string {
  return `${row.modelClass} × ${engine} × ${row.architecture}`;
}
