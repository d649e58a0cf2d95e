/**
 * TEI's /tokenize and /decode. /tokenize answers, per input, each token's id, whether the
 * post-processor added it (tokenizers' special_tokens_mask, as TEI reads it) and, as TEI's
 * into_tokens builds them: for a special token its vocabulary string and null start / stop;
 * for any other its UTF-8 byte offsets in the input (the prompt included, when prompt_name
 * names one) and the input's bytes between them as text. The native tokenizer tracks the
 * offsets through every normalizer, pre-tokenizer and model as Hugging Face tokenizers does
 * (test/native/tokenizer_offsets_test.cc). /decode runs the tokenizer.json decoder natively.
 * Internal: not exported from the package entry point.
 */
import { invalidBody } from './errors.js';
import { asObject, boolField, optionalString, type Body } from './fields.js';
import { checkBatch, need, type RouteContext, type RouteResult } from './context.js';
import { promptFor } from './embed-inputs.js';

/** TEI's SimpleToken. */
export interface SimpleToken {
  id: number;
  text: string;
  special: boolean;
  start: number | null;
  stop: number | null;
}

function tokenizeInputs(body: Body): string[] {
  const value = body.inputs;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw invalidBody('expected `inputs` to be a string or an array of strings');
}

// String::from_utf8_lossy, as TEI turns a token's bytes into its text.
const lossy = new TextDecoder('utf-8', { fatal: false });

export async function tokenize(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const texts = tokenizeInputs(body);
  const addSpecialTokens = boolField(body, 'add_special_tokens', true);
  const promptName = optionalString(body, 'prompt_name');
  const model = need(context.models.embedder, 'an embedding model', '--model');
  const vocabulary = need(context.models.vocabulary, 'the embedding model\'s tokenizer.json', '--model');
  checkBatch(texts.length, context);
  const prompt = promptFor(model.prompts, promptName, null);
  const inputs = prompt ? texts.map((t) => prompt + t) : texts;
  const rows = await model.untruncatedTokens(inputs, { offsets: true, addSpecialTokens });
  const tokens = rows.reduce((n, row) => n + row.ids.length, 0);
  return {
    body: rows.map(({ ids, special, offsets }, r) => {
      const bytes = Buffer.from(inputs[r] as string, 'utf8');
      return Array.from(ids, (id, i): SimpleToken => {
        if (special[i] === 1) return { id, text: vocabulary.token(id), special: true, start: null, stop: null };
        const start = offsets?.[2 * i] ?? 0;
        const stop = offsets?.[2 * i + 1] ?? 0;
        return { id, text: lossy.decode(bytes.subarray(start, stop)), special: false, start, stop };
      });
    }),
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
