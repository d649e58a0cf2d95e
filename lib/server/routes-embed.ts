/**
 * TEI's embedding routes: /embed, /embed_all, /embed_sparse and /similarity, with the request
 * fields and defaults of router/src/http/types.rs (normalize true, truncate false unless
 * --auto-truncate, truncation_direction "Right", prompt_name, dimensions).
 * Internal: not exported from the package entry point.
 */
import type { SentenceTransformer } from '../sentence-transformer.js';
import { HttpError, invalidBody } from './errors.js';
import { asObject, boolField, inputs, type InputItem, optionalBool, optionalPositiveInt, optionalString, stringField, stringList, truncationDirection, type Body } from './fields.js';
import { checkBatch, inParts, need, type RouteContext, type RouteResult } from './context.js';

/** Texts of a batch; token-id inputs need a tokenizer decode the server does not have yet. */
export function textsOf(items: InputItem[], name = 'inputs'): string[] {
  return items.map((item, i) => {
    if (typeof item !== 'string') throw invalidBody(`\`${name}[${i}]\` is a list of token ids; sentencekit serve takes text inputs only`);
    return item;
  });
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
 * Token counts of the texts as encoded (prompt included), checked against maxSeqLength as TEI
 * checks max_input_length: an over-long input is a 413 unless truncation was asked for.
 */
export async function checkedTokenCounts(model: SentenceTransformer, texts: string[], truncation: Truncation, context: RouteContext): Promise<Int32Array> {
  const counts = context.models.counter === null
    ? Int32Array.from(await model.untruncatedTokens(texts), (row) => row.ids.length)
    : await context.models.counter.count(texts);
  const max = model.maxSeqLength;
  for (const count of counts) {
    context.metrics.inputLength.observe(count, { method: context.method });
    if (count <= max) continue;
    if (!truncation.truncate) {
      throw new HttpError('Validation', `\`inputs\` must have less than ${max} tokens. Given: ${count}`, { metric: 'validation' });
    }
    if (truncation.direction === 'Left') {
      // The model truncates on its tokenizer's configured side; a per-request side is not supported.
      throw invalidBody('truncation_direction "Left" is not supported by sentencekit serve: the model truncates on the side its tokenizer_config.json names');
    }
  }
  return counts;
}

function sum(counts: Int32Array, max: number): number {
  let total = 0;
  for (const c of counts) total += Math.min(c, max);
  return total;
}

function rowsOf(data: Float32Array, rows: number, width: number): number[][] {
  const out: number[][] = new Array<number[]>(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from(data.subarray(r * width, (r + 1) * width));
  return out;
}

export interface EmbedRequest {
  texts: string[];
  normalize: boolean;
  dimensions: number | null;
  promptName: string | null;
  truncation: Truncation;
}

/** Embeds as /embed and /v1/embeddings do: rows as Float32Arrays, and the tokens computed. */
export async function embedTexts(request: EmbedRequest, context: RouteContext): Promise<{ rows: Float32Array[]; tokens: number }> {
  const model = need(context.models.embedder, 'an embedding model', '--model');
  checkBatch(request.texts.length, context);
  const prompt = promptFor(model.prompts, request.promptName, model.defaultPromptName);
  if (request.dimensions !== null && request.dimensions > model.dimension) {
    throw new HttpError('Validation', `\`dimensions\` ${request.dimensions} is larger than the model's dimension ${model.dimension}`, { metric: 'validation' });
  }
  const counts = await checkedTokenCounts(model, prompt ? request.texts.map((t) => prompt + t) : request.texts, request.truncation, context);
  const rows = await inParts(request.texts, context, async (part) => {
    const embeddings = await model.encode(part, {
      normalizeEmbeddings: request.normalize,
      ...(request.dimensions === null ? {} : { truncateDim: request.dimensions }),
      ...(request.promptName === null ? {} : { promptName: request.promptName }),
    });
    return Array.from({ length: embeddings.rows }, (_, r) => embeddings.row(r));
  });
  return { rows, tokens: sum(counts, model.maxSeqLength) };
}

export async function embed(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const request: EmbedRequest = {
    texts: textsOf(inputs(body, 'inputs').items),
    normalize: boolField(body, 'normalize', true),
    dimensions: optionalPositiveInt(body, 'dimensions'),
    promptName: optionalString(body, 'prompt_name'),
    truncation: truncationOf(body, context),
  };
  const { rows, tokens } = await embedTexts(request, context);
  return { body: rows.map((row) => Array.from(row)), tokens };
}

export async function embedAll(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const texts = textsOf(inputs(body, 'inputs').items);
  const promptName = optionalString(body, 'prompt_name');
  const truncation = truncationOf(body, context);
  const model = need(context.models.embedder, 'an embedding model', '--model');
  checkBatch(texts.length, context);
  const prompt = promptFor(model.prompts, promptName, model.defaultPromptName);
  const counts = await checkedTokenCounts(model, prompt ? texts.map((t) => prompt + t) : texts, truncation, context);
  const matrices = await inParts(texts, context, (part) => model.encodeTokenEmbeddings(part, promptName === null ? {} : { promptName }));
  return { body: matrices.map((m) => rowsOf(m.data, m.rows, m.dimension)), tokens: sum(counts, model.maxSeqLength) };
}

export async function embedSparse(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const texts = textsOf(inputs(body, 'inputs').items);
  const promptName = optionalString(body, 'prompt_name');
  truncationOf(body, context);
  const model = need(context.models.sparse, 'a sparse (SPLADE) model', '--sparse-model');
  checkBatch(texts.length, context);
  if (promptName !== null) promptFor(model.prompts, promptName, null);
  const rows = await inParts(texts, context, async (part) => {
    const sparse = await model.encode(part, promptName === null ? {} : { promptName });
    return Array.from({ length: sparse.rows }, (_, r) => {
      const { indices, values } = sparse.row(r);
      return Array.from(indices, (index, i) => ({ index, value: values[i] as number }));
    });
  });
  return { body: rows, tokens: 0 };
}

/** TEI's /similarity: cosine similarity of source_sentence to each of sentences. */
export async function similarity(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const input = asObject(body.inputs, '`inputs`');
  const source = stringField(input, 'source_sentence');
  const sentences = stringList(input, 'sentences');
  const parameters = body.parameters === undefined || body.parameters === null ? {} : asObject(body.parameters, '`parameters`');
  if (sentences.length === 0) throw new HttpError('Empty', '`sentences` cannot be empty', { metric: 'empty' });
  const { rows, tokens } = await embedTexts({
    texts: [source, ...sentences],
    normalize: true,
    dimensions: null,
    promptName: optionalString(parameters, 'prompt_name'),
    truncation: truncationOf(parameters, context),
  }, context);
  const [first, ...rest] = rows as [Float32Array, ...Float32Array[]];
  const scores = rest.map((row) => {
    let dot = 0;
    for (let i = 0; i < row.length; i++) dot += (row[i] as number) * (first[i] as number);
    return dot;
  });
  return { body: scores, tokens };
}
