/**
 * TEI's /tokenize and /decode. /tokenize answers each token's id, its string and whether it is
 * a special token; start and stop are null because the native tokenizer does not track
 * offsets yet (TEI gives byte offsets into the input, and the input's bytes as text).
 * Internal: not exported from the package entry point.
 */
import { HttpError, invalidBody } from './errors.js';
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
  const rows = await model.untruncatedIds(prompt ? texts.map((t) => prompt + t) : texts);
  const tokens = rows.reduce((n, ids) => n + ids.length, 0);
  return {
    body: rows.map((ids) => Array.from(ids, (id) => ({ id, text: vocabulary.token(id), special: vocabulary.special(id), start: null, stop: null }))),
    tokens,
  };
}

export async function decode(raw: unknown, _context: RouteContext): Promise<RouteResult> {
  asObject(raw);
  // Decoding needs the tokenizer.json decoder, which the native addon does not expose yet.
  throw new HttpError('Backend', '/decode is not implemented by sentencekit serve yet', { status: 501, metric: 'unsupported' });
}
