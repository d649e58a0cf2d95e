/**
 * TEI's /rerank and /predict over a CrossEncoder, and a Cohere/Jina-style /v1/rerank.
 * Scores: raw_scores gives the logits; otherwise a one-label model's activation (sigmoid for
 * rerankers, as TEI applies) and a softmax over several labels, as TEI's classifier does.
 * Internal: not exported from the package entry point.
 */
import type { CrossEncoder, PredictOptions } from '../cross-encoder.js';
import { HttpError, invalidBody } from './errors.js';
import { asObject, boolField, optionalBool, optionalPositiveInt, stringField, truncationDirection, type Body } from './fields.js';
import { checkBatch, inParts, need, type RouteContext, type RouteResult } from './context.js';

function scoring(model: CrossEncoder, raw: boolean): PredictOptions {
  if (raw) return { activation: 'identity' };
  return model.numLabels > 1 ? { activation: 'identity', applySoftmax: true } : {};
}

function readTruncation(body: Body): void {
  // Pairs are always truncated longest_first to the model's max length, as sentence-transformers does.
  optionalBool(body, 'truncate');
  truncationDirection(body);
}

async function scorePairs(model: CrossEncoder, pairs: Array<[string, string]>, raw: boolean, context: RouteContext): Promise<Float32Array[]> {
  const labels = model.numLabels;
  return inParts(pairs, context, async (part) => {
    const scores = await model.predict(part, scoring(model, raw));
    return Array.from({ length: part.length }, (_, i) => scores.subarray(i * labels, (i + 1) * labels));
  });
}

function documentsOf(body: Body, name: string): string[] {
  const value = body[name];
  if (!Array.isArray(value)) throw invalidBody(`expected \`${name}\` to be an array but received ${value === null ? 'null' : typeof value}`);
  return value.map((item, i) => {
    if (typeof item === 'string') return item;
    // Cohere and Jina also take {"text": "..."} documents.
    if (typeof item === 'object' && item !== null && typeof (item as { text?: unknown }).text === 'string') return (item as { text: string }).text;
    throw invalidBody(`expected \`${name}[${i}]\` to be a string or {"text": string}`);
  });
}

interface Ranked {
  index: number;
  score: number;
}

async function rankTexts(query: string, texts: string[], raw: boolean, context: RouteContext, name: string): Promise<Ranked[]> {
  const model = need(context.models.reranker, 'a reranker', '--reranker');
  checkBatch(texts.length, context, name);
  if (model.numLabels !== 1) throw new HttpError('Backend', `reranking needs a one-label model, but the reranker has ${model.numLabels} labels: use /predict`, { metric: 'model_type' });
  const rows = await scorePairs(model, texts.map((text) => [query, text] as [string, string]), raw, context);
  const ranked = rows.map((row, index) => ({ index, score: row[0] as number }));
  // Best first; equal scores keep input order.
  ranked.sort((a, b) => b.score - a.score || a.index - b.index);
  return ranked;
}

export async function rerank(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const query = stringField(body, 'query');
  const texts = documentsOf(body, 'texts');
  readTruncation(body);
  const rawScores = boolField(body, 'raw_scores', false);
  const returnText = boolField(body, 'return_text', false);
  const ranked = await rankTexts(query, texts, rawScores, context, 'texts');
  return { body: ranked.map(({ index, score }) => (returnText ? { index, text: texts[index], score } : { index, score })), tokens: 0 };
}

/** Cohere v2 / Jina rerank: {query, documents, top_n, return_documents} → {model, results: [{index, relevance_score, document?}]}. */
export async function rerankV1(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const query = stringField(body, 'query');
  const documents = documentsOf(body, 'documents');
  const topN = optionalPositiveInt(body, 'top_n');
  const returnDocuments = boolField(body, 'return_documents', false);
  const ranked = await rankTexts(query, documents, false, context, 'documents');
  const results = ranked.slice(0, topN ?? ranked.length).map(({ index, score }) =>
    returnDocuments ? { index, relevance_score: score, document: { text: documents[index] } } : { index, relevance_score: score });
  return { body: { model: context.config.rerankerId, results }, tokens: 0 };
}

/** TEI's PredictInput: a string, a pair [a, b], or a batch of [a] / [a, b]. */
function predictInputs(value: unknown): { sequences: string[][]; single: boolean } {
  const sequence = (item: unknown, where: string): string[] => {
    if (!Array.isArray(item) || item.length < 1 || item.length > 2 || !item.every((s) => typeof s === 'string')) {
      throw invalidBody(`expected ${where} to be [string] or [string, string]`);
    }
    return item as string[];
  };
  if (typeof value === 'string') return { sequences: [[value]], single: true };
  if (Array.isArray(value) && value.length > 0) {
    if (typeof value[0] === 'string') {
      if (value.length > 2 || !value.every((s) => typeof s === 'string')) throw invalidBody('expected `inputs` to be a string, a pair of strings [string, string] or a batch of mixed strings and pairs [[string], [string, string], ...]');
      return { sequences: [value as string[]], single: true };
    }
    return { sequences: value.map((item, i) => sequence(item, `\`inputs[${i}]\``)), single: false };
  }
  throw invalidBody('expected `inputs` to be a string, a pair of strings [string, string] or a batch of mixed strings and pairs [[string], [string, string], ...]');
}

/**
 * TEI's /predict: a single text is scored alone ([CLS] text [SEP]), a pair as one sequence; a
 * single input answers its predictions, a batch a list of them. Predictions come best first,
 * as TEI orders them (an ascending stable sort, reversed: equal scores in reverse label order).
 */
export async function predict(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const { sequences, single } = predictInputs(body.inputs);
  readTruncation(body);
  const rawScores = boolField(body, 'raw_scores', false);
  const model = need(context.models.reranker, 'a cross-encoder (--reranker)', '--reranker');
  checkBatch(sequences.length, context);
  const textAt: number[] = [];
  const pairAt: number[] = [];
  sequences.forEach((s, i) => (s.length === 1 ? textAt : pairAt).push(i));
  const labels = model.labels;
  const [textRows, pairRows] = await Promise.all([
    textAt.length === 0 ? [] : inParts(textAt.map((i) => (sequences[i] as string[])[0] as string), context, async (part) => {
      const scores = await model.predictTexts(part, scoring(model, rawScores));
      return Array.from({ length: part.length }, (_, k) => scores.subarray(k * labels.length, (k + 1) * labels.length));
    }),
    pairAt.length === 0 ? [] : scorePairs(model, pairAt.map((i) => sequences[i] as [string, string]), rawScores, context),
  ]);
  const rows = new Array<Float32Array>(sequences.length);
  textAt.forEach((i, k) => { rows[i] = textRows[k] as Float32Array; });
  pairAt.forEach((i, k) => { rows[i] = pairRows[k] as Float32Array; });
  const predictions = rows.map((row) => {
    const list = Array.from(row, (score, i) => ({ score, label: labels[i] as string }));
    list.sort((a, b) => a.score - b.score).reverse();
    return list;
  });
  return { body: single ? predictions[0] : predictions, tokens: 0 };
}
