/**
 * TEI's /tokenize and /decode. /tokenize answers each token's id, its vocabulary string and
 * whether the post-processor added it (tokenizers' special_tokens_mask, as TEI reads it); start and stop are null because the native tokenizer does not track
 * offsets yet (TEI gives byte offsets into the input, and the input's bytes as text). /decode
 * runs the tokenizer.json decoder natively.
 * Internal: not exported from the package entry point.
 */
import { invalidBody } from './errors.js';
import { asObject, boolField, optionalString, type Body } from './fields.js';
import { checkBatch, need, type RouteContext, type RouteResult } from './context.js';
import { promptFor } from './routes-embed.js';

function tokenizeInputs(body: Body): string[] {
  const value = body.inputs;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw invalidBody('expected `inputs` to be a string or an array of strings');
}

export async function tokenize(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const texts = tokenizeInputs(body);
  const addSpecial = boolField(body, 'add_special_tokens', true);
  const promptName = optionalString(body, 'prompt_name');
  const model = need(context.models.embedder, 'an embedding model', '--model');
  const vocabulary = need(context.models.vocabulary, 'the embedding model\'s tokenizer.json', '--model');
  if (!addSpecial) throw invalidBody('add_special_tokens false is not supported by sentencekit serve yet');
  checkBatch(texts.length, context);
  const prompt = promptFor(model.prompts, promptName, null);
  const rows = await model.untruncatedTokens(prompt ? texts.map((t) => prompt + t) : texts);
  const tokens = rows.reduce((n, row) => n + row.ids.length, 0);
  return {
    body: rows.map(({ ids, special }) => Array.from(ids, (id, i) => ({ id, text: vocabulary.token(id), special: special[i] === 1, start: null, stop: null }))),
    tokens,
  };
}

// Int32 ids: no vocabulary comes near 2^31.
function isIds(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff);
}

/** TEI's InputIds: one list of ids, or a batch of lists. */
function decodeInputs(value: unknown): number[][] {
  if (isIds(value) && value.length > 0) return [value];
  if (Array.isArray(value) && value.every(isIds)) return value as number[][];
  throw invalidBody('expected `ids` to be a list of token ids or a list of such lists');
}

/** TEI's /decode: ids back to text through the tokenizer's decoder; always a list of strings. */
export async function decode(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const rows = decodeInputs(body.ids);
  const skip = boolField(body, 'skip_special_tokens', true);
  const model = need(context.models.embedder, 'an embedding model', '--model');
  checkBatch(rows.length, context, 'ids');
  return { body: await model.decodeIds(rows.map((ids) => Int32Array.from(ids)), skip), tokens: 0 };
}
