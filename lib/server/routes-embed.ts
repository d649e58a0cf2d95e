/**
 * TEI's embedding routes: /embed, /embed_all, /embed_sparse and /similarity, with the request
 * fields and defaults of router/src/http/types.rs (normalize true, truncate false unless
 * --auto-truncate, truncation_direction "Right", prompt_name, dimensions).
 * Internal: not exported from the package entry point.
 */
import { HttpError } from './errors.js';
import { asObject, boolField, inputs, optionalPositiveInt, optionalString, stringField, stringList } from './fields.js';
import { checkBatch, inParts, need, type RouteContext, type RouteResult } from './context.js';
import { checkedBatchTokens, decoderIfPrompted, embedInputs, type EmbedRequest, inBatchOrder, promptFor, sideOption, splitBatch, truncationOf } from './embed-inputs.js';
import type { SparseEmbeddings } from '../sparse-embeddings.js';

function rowsOf(data: Float32Array, rows: number, width: number): number[][] {
  const out: number[][] = new Array<number[]>(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from(data.subarray(r * width, (r + 1) * width));
  return out;
}

export async function embed(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const request: EmbedRequest = {
    inputs: inputs(body, 'inputs').items,
    normalize: boolField(body, 'normalize', true),
    dimensions: optionalPositiveInt(body, 'dimensions'),
    promptName: optionalString(body, 'prompt_name'),
    truncation: truncationOf(body, context),
  };
  const { rows, tokens } = await embedInputs(request, context);
  return { body: rows.map((row) => Array.from(row)), tokens };
}

export async function embedAll(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const items = inputs(body, 'inputs').items;
  const promptName = optionalString(body, 'prompt_name');
  const truncation = truncationOf(body, context);
  const model = need(context.models.embedder, 'an embedding model', '--model');
  checkBatch(items.length, context);
  const prompt = promptFor(model.prompts, promptName, model.defaultPromptName);
  const split = await splitBatch(items, decoderIfPrompted(model, promptName, model.defaultPromptName));
  const tokens = await checkedBatchTokens(model, split, prompt, truncation, context);
  const side = sideOption(model, truncation);
  const options = { ...(promptName === null ? {} : { promptName }), ...side };
  const [textMatrices, idMatrices] = await Promise.all([
    split.texts.length === 0 ? [] : inParts(split.texts, context, (part) => model.encodeTokenEmbeddings(part, options)),
    split.ids.length === 0 ? [] : inParts(split.ids, context, (part) => model.encodeTokenIdEmbeddings(part, side)),
  ]);
  return { body: inBatchOrder(split, textMatrices, idMatrices).map((m) => rowsOf(m.data, m.rows, m.dimension)), tokens };
}

export async function embedSparse(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const items = inputs(body, 'inputs').items;
  const promptName = optionalString(body, 'prompt_name');
  truncationOf(body, context);
  const model = need(context.models.sparse, 'a sparse (SPLADE) model', '--sparse-model');
  checkBatch(items.length, context);
  if (promptName !== null) promptFor(model.prompts, promptName, null);
  const split = await splitBatch(items, decoderIfPrompted(model, promptName, null));
  const entriesOf = (sparse: SparseEmbeddings) => Array.from({ length: sparse.rows }, (_, r) => {
    const { indices, values } = sparse.row(r);
    return Array.from(indices, (index, i) => ({ index, value: values[i] as number }));
  });
  const [textRows, idRows] = await Promise.all([
    split.texts.length === 0 ? [] : inParts(split.texts, context, async (part) => entriesOf(await model.encode(part, promptName === null ? {} : { promptName }))),
    split.ids.length === 0 ? [] : inParts(split.ids, context, async (part) => entriesOf(await model.encodeTokenIds(part))),
  ]);
  return { body: inBatchOrder(split, textRows, idRows), tokens: 0 };
}

/** TEI's /similarity: cosine similarity of source_sentence to each of sentences. */
export async function similarity(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const input = asObject(body.inputs, '`inputs`');
  const source = stringField(input, 'source_sentence');
  const sentences = stringList(input, 'sentences');
  const parameters = body.parameters === undefined || body.parameters === null ? {} : asObject(body.parameters, '`parameters`');
  if (sentences.length === 0) throw new HttpError('Empty', '`sentences` cannot be empty', { metric: 'empty' });
  const { rows, tokens } = await embedInputs({
    inputs: [source, ...sentences],
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
