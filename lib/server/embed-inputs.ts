/**
 * What /embed and /v1/embeddings embed: TEI's `Input` items, texts and token-id lists mixed,
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

/** The batch's id lists as TEI embeds them with a prompt: decoded (special tokens skipped) into texts. */
async function idsAsTexts(model: SentenceTransformer, inputs: InputItem[]): Promise<string[]> {
  const at: number[] = [];
  const rows: Int32Array[] = [];
  inputs.forEach((item, i) => {
    if (typeof item === 'string') return;
    at.push(i);
    rows.push(Int32Array.from(item));
  });
  const texts = inputs.slice() as string[];
  if (rows.length > 0) (await model.decodeIds(rows, true)).forEach((text, k) => { texts[at[k] as number] = text; });
  return texts;
}

/** Embeds as /embed and /v1/embeddings do: rows as Float32Arrays in input order, and the tokens computed. */
export async function embedInputs(request: EmbedRequest, context: RouteContext): Promise<{ rows: Float32Array[]; tokens: number }> {
  const model = need(context.models.embedder, 'an embedding model', '--model');
  checkBatch(request.inputs.length, context);
  const prompt = promptFor(model.prompts, request.promptName, model.defaultPromptName);
  if (request.dimensions !== null && request.dimensions > model.dimension) {
    throw new HttpError('Validation', `\`dimensions\` ${request.dimensions} is larger than the model's dimension ${model.dimension}`, { metric: 'validation' });
  }
  const items = prompt ? await idsAsTexts(model, request.inputs) : request.inputs;
  const textAt: number[] = [];
  const idsAt: number[] = [];
  items.forEach((item, i) => (typeof item === 'string' ? textAt : idsAt).push(i));
  const texts = textAt.map((i) => items[i] as string);
  const ids = idsAt.map((i) => items[i] as number[]);

  const max = model.maxSeqLength;
  const textCounts = texts.length === 0 ? new Int32Array(0) : await checkedTokenCounts(model, prompt ? texts.map((t) => prompt + t) : texts, request.truncation, context);
  const idCounts = ids.map((row) => row.length);
  checkLengths(idCounts, max, request.truncation, context);

  const options = {
    normalizeEmbeddings: request.normalize,
    ...(request.dimensions === null ? {} : { truncateDim: request.dimensions }),
    ...sideOption(model, request.truncation),
  };
  const rowsOf = (embeddings: { rows: number; row(r: number): Float32Array }) => Array.from({ length: embeddings.rows }, (_, r) => embeddings.row(r));
  const [textRows, idRows] = await Promise.all([
    texts.length === 0 ? [] : inParts(texts, context, async (part) => rowsOf(await model.encode(part, { ...options, ...(request.promptName === null ? {} : { promptName: request.promptName }) }))),
    ids.length === 0 ? [] : inParts(ids, context, async (part) => rowsOf(await model.encodeTokenIds(part, options))),
  ]);
  const rows = new Array<Float32Array>(items.length);
  textAt.forEach((i, k) => { rows[i] = textRows[k] as Float32Array; });
  idsAt.forEach((i, k) => { rows[i] = idRows[k] as Float32Array; });
  return { rows, tokens: computedTokens(textCounts, max) + computedTokens(idCounts, max) };
}
