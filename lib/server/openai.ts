/**
 * OpenAI's POST /v1/embeddings, as TEI's OpenAI-compatible route answers it: input as a string,
 * a list of token ids, or a list of either (usage.prompt_tokens counts the ids), encoding_format "float" or "base64" (little-endian float32, as the
 * openai client decodes it), dimensions, usage.prompt_tokens; embeddings are normalized.
 * Internal: not exported from the package entry point.
 */
import { invalidBody } from './errors.js';
import { asObject, inputs, optionalPositiveInt, optionalString } from './fields.js';
import type { RouteContext, RouteResult } from './context.js';
import { embedInputs } from './embed-inputs.js';

function base64(row: Float32Array): string {
  return Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString('base64');
}

export async function openAiEmbeddings(raw: unknown, context: RouteContext): Promise<RouteResult> {
  const body = asObject(raw);
  const format = optionalString(body, 'encoding_format') ?? 'float';
  if (format !== 'float' && format !== 'base64') throw invalidBody(`expected \`encoding_format\` to be "float" or "base64" but received ${JSON.stringify(format)}`);
  optionalString(body, 'model');
  optionalString(body, 'user');
  const { rows, tokens } = await embedInputs({
    inputs: inputs(body, 'input').items,
    normalize: true,
    dimensions: optionalPositiveInt(body, 'dimensions'),
    promptName: null,
    truncation: { truncate: context.config.autoTruncate, direction: 'Right' },
  }, context);
  return {
    body: {
      object: 'list',
      data: rows.map((row, index) => ({ object: 'embedding', embedding: format === 'base64' ? base64(row) : Array.from(row), index })),
      model: context.config.modelId,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    tokens,
  };
}
