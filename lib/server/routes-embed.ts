/**
 * TEI's embedding routes: /embed, /embed_all, /embed_sparse and /similarity, with the request
 * fields and defaults of router/src/http/types.rs (normalize true, truncate false unless
 * --auto-truncate, truncation_direction "Right", prompt_name, dimensions).
 * Internal: not exported from the package entry point.
 */
import { HttpError, invalidBody } from './errors.js';
import { asObject, boolField, inputs, type InputItem, optionalPositiveInt, optionalString, stringField, stringList } from './fields.js';
import { checkBatch, inParts, need, type RouteContext, type RouteResult } from './context.js';
import { checkedTokenCounts, computedTokens, embedInputs, type EmbedRequest, promptFor, sideOption, truncationOf } from './embed-inputs.js';

/** Texts of a batch, for the routes that take no token ids (/embed and /v1/embeddings do). */
function textsOf(items: InputItem[], name = 'inputs'): string[] {
  return items.map((item, i) => {
    if (typeof item !== 'string') throw invalidBody(`\`${name}[${i}]\` is a list of token ids; this route takes texts (/embed and /v1/embeddings take token ids)`);
    return item;
  });
}

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
  const texts = textsOf(inputs(body, 'inputs').items);
  const promptName = optionalString(body, 'prompt_name');
  const truncation = truncationOf(body, context);
  const model = need(context.models.embedder, 'an embedding model', '--model');
  checkBatch(texts.length, context);
  const prompt = promptFor(model.prompts, promptName, model.defaultPromptName);
  const counts = await checkedTokenCounts(model, prompt ? texts.map((t) => prompt + t) : texts, truncation, context);
  const options = { ...(promptName === null ? {} : { promptName }), ...sideOption(model, truncation) };
  const matrices = await inParts(texts, context, (part) => model.encodeTokenEmbeddings(part, options));
  return { body: matrices.map((m) => rowsOf(m.data, m.rows, m.dimension)), tokens: computedTokens(counts, model.maxSeqLength) };
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
