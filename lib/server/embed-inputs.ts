/**
 * What /embed, /v1/embeddings, /embed_all and /embed_sparse take: TEI's `Input` items, texts
 * and token-id lists mixed,
 * with TEI's length check, truncation (side included) and prompts (core/src/tokenization.rs).
 * Token ids are the model's input as given, nothing added, as TEI re-encodes them with
 * add_special_tokens false; with a prompt, TEI decodes them (special tokens skipped) and embeds
 * prompt + text as a text, and so does this.
 * Internal: not exported from the package entry point.
 */
import type { SentenceTransformer } from '../sentence-transformer.js';
import { HttpError, invalidBody } from './errors.js';
import { optionalBool, truncationDirection, type Body, type InputItem } from './fields.js';
import { checkBatch, inParts, need, type RouteContext } from './context.js';

/**
 * The model's decoder where the request has a prompt (prompt_name, or the model's default),
 * empty or not, as TEI's tokenization then decodes id lists; else null.
 */
export function decoderIfPrompted(model: { decodeIds: DecodeIds }, name: string | null, defaultName: string | null): DecodeIds | null {
  return name === null && defaultName === null ? null : (rows, skip) => model.decodeIds(rows, skip);
}

/** The prompt encode() will prepend: the named one, else the model's default, else none. */
export function promptFor(prompts: Readonly<Record<string, string>>, name: string | null, defaultName: string | null): string {
  if (name !== null) {
    const prompt = prompts[name];
    if (prompt === undefined) {
      const known = Object.keys(prompts);
      throw new HttpError('Validation', `prompt_name \`${name}\` is not one of the model's prompts (${known.length === 0 ? 'it has none' : known.join(', ')})`, { metric: 'validation' });
    }
    return prompt;
  }
  return defaultName === null ? '' : prompts[defaultName] ?? '';
}

export interface Truncation {
  truncate: boolean;
  direction: 'Left' | 'Right';
}

export function truncationOf(body: Body, context: RouteContext): Truncation {
  return { truncate: optionalBool(body, 'truncate') ?? context.config.autoTruncate, direction: truncationDirection(body) };
}

/**
 * TEI's max_input_length check on each input's token count: an over-long input is a 413
 * unless truncation was asked for. Observes each count in te_request_input_length.
 */
export function checkLengths(counts: ArrayLike<number>, max: number, truncation: Truncation, context: RouteContext): void {
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    context.metrics.inputLength.observe(count, { method: context.method });
    if (count > max && !truncation.truncate) {
      throw new HttpError('Validation', `\`inputs\` must have less than ${max} tokens. Given: ${count}`, { metric: 'validation' });
    }
  }
}

/** Token counts of the texts as encoded (prompt included), checked as checkLengths does. */
export async function checkedTokenCounts(model: SentenceTransformer, texts: string[], truncation: Truncation, context: RouteContext): Promise<Int32Array> {
  const counts = context.models.counter === null
    ? Int32Array.from(await model.untruncatedTokens(texts), (row) => row.ids.length)
    : await context.models.counter.count(texts);
  checkLengths(counts, model.maxSeqLength, truncation, context);
  return counts;
}

/** Tokens the model ran: each count capped at the model's length. */
export function computedTokens(counts: ArrayLike<number>, max: number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += Math.min(counts[i] as number, max);
  return total;
}

/**
 * encode()'s truncationSide for the request's truncation_direction. A StaticEmbedding or CLIP
 * model truncates on its tokenizer's own terms: "Left" is refused there, "Right" (TEI's
 * default) leaves the model as it is.
 */
export function sideOption(model: SentenceTransformer, truncation: Truncation): { truncationSide?: 'left' | 'right' } {
  const transformer = Number.isFinite(model.maxSeqLength) && model.modalities.length === 1;
  if (transformer) return { truncationSide: truncation.direction === 'Left' ? 'left' : 'right' };
  if (truncation.truncate && truncation.direction === 'Left') {
    throw invalidBody('truncation_direction "Left" needs a transformer model: a StaticEmbedding or CLIP model truncates as its tokenizer.json says');
  }
  return {};
}

export interface EmbedRequest {
  inputs: InputItem[];
  normalize: boolean;
  dimensions: number | null;
  promptName: string | null;
  truncation: Truncation;
}

/** A batch's texts and token-id lists apart, each with its place in the batch. */
export interface SplitBatch {
  size: number;
  textAt: number[];
  texts: string[];
  idsAt: number[];
  ids: number[][];
}

type DecodeIds = (rows: Int32Array[], skipSpecialTokens: boolean) => Promise<string[]>;

/**
 * The batch split into texts and id lists. With a prompt, TEI decodes the id lists (special
 * tokens skipped) and embeds prompt + text as a text (special tokens added), even when the
 * prompt is empty, so `decode` turns them into texts first; null: no prompt, ids as given.
 */
export async function splitBatch(inputs: InputItem[], decode: DecodeIds | null): Promise<SplitBatch> {
  const items = inputs.slice();
  if (decode !== null) {
    const at: number[] = [];
    inputs.forEach((item, i) => { if (typeof item !== 'string') at.push(i); });
    const decoded = at.length === 0 ? [] : await decode(at.map((i) => Int32Array.from(inputs[i] as number[])), true);
    at.forEach((i, k) => { items[i] = decoded[k] as string; });
  }
  const split: SplitBatch = { size: items.length, textAt: [], texts: [], idsAt: [], ids: [] };
  items.forEach((item, i) => {
    if (typeof item === 'string') {
      split.textAt.push(i);
      split.texts.push(item);
    } else {
      split.idsAt.push(i);
      split.ids.push(item);
    }
  });
  return split;
}

/** The texts' and the id lists' results back in batch order. */
export function inBatchOrder<T>(split: SplitBatch, textRows: T[], idRows: T[]): T[] {
  const rows = new Array<T>(split.size);
  split.textAt.forEach((i, k) => { rows[i] = textRows[k] as T; });
  split.idsAt.forEach((i, k) => { rows[i] = idRows[k] as T; });
  return rows;
}

/**
 * TEI's length check over a split batch (texts counted with the prompt, id lists as given):
 * the tokens the model will compute.
 */
export async function checkedBatchTokens(model: SentenceTransformer, split: SplitBatch, prompt: string, truncation: Truncation, context: RouteContext): Promise<number> {
  const max = model.maxSeqLength;
  const textCounts = split.texts.length === 0 ? new Int32Array(0) : await checkedTokenCounts(model, prompt ? split.texts.map((t) => prompt + t) : split.texts, truncation, context);
  const idCounts = split.ids.map((row) => row.length);
  checkLengths(idCounts, max, truncation, context);
  return computedTokens(textCounts, max) + computedTokens(idCounts, max);
}

/** Embeds as /embed and /v1/embeddings do: rows as Float32Arrays in input order, and the tokens computed. */
export async function embedInputs(request: EmbedRequest, context: RouteContext): Promise<{ rows: Float32Array[]; tokens: number }> {
  const model = need(context.models.embedder, 'an embedding model', '--model');
  checkBatch(request.inputs.length, context);
  const prompt = promptFor(model.prompts, request.promptName, model.defaultPromptName);
  if (request.dimensions !== null && request.dimensions > model.dimension) {
    throw new HttpError('Validation', `\`dimensions\` ${request.dimensions} is larger than the model's dimension ${model.dimension}`, { metric: 'validation' });
  }
  const split = await splitBatch(request.inputs, decoderIfPrompted(model, request.promptName, model.defaultPromptName));
  const tokens = await checkedBatchTokens(model, split, prompt, request.truncation, context);

  const options = {
    normalizeEmbeddings: request.normalize,
    ...(request.dimensions === null ? {} : { truncateDim: request.dimensions }),
    ...sideOption(model, request.truncation),
  };
  const rowsOf = (embeddings: { rows: number; row(r: number): Float32Array }) => Array.from({ length: embeddings.rows }, (_, r) => embeddings.row(r));
  const [textRows, idRows] = await Promise.all([
    split.texts.length === 0 ? [] : inParts(split.texts, context, async (part) => rowsOf(await model.encode(part, { ...options, ...(request.promptName === null ? {} : { promptName: request.promptName }) }))),
    split.ids.length === 0 ? [] : inParts(split.ids, context, async (part) => rowsOf(await model.encodeTokenIds(part, options))),
  ]);
  return { rows: inBatchOrder(split, textRows, idRows), tokens };
}
