/**
 * What `model.tokenize(texts)` returns, as sentence-transformers' `tokenize`: the model's
 * tokenizer run with truncation to max_seq_length and padding to the longest text.
 */
import { join } from 'node:path';

import { readJsonFile } from './json-files.js';

/**
 * Token ids and masks for a batch of texts, each a row-major [rows × length] Int32Array
 * (`shape`), padded to the longest text with the tokenizer's pad id — the
 * `input_ids` / `attention_mask` / `token_type_ids` tensors sentence-transformers' `tokenize`
 * returns.
 *
 * @example
 * const { inputIds, attentionMask, shape } = await model.tokenize(['hello world', 'hi']);
 * shape;                             // [2, 4]
 * inputIds.subarray(0, shape[1]);    // [101, 7592, 2088, 102] (BERT)
 */
export interface TokenizedBatch {
  /** Token ids, padded with the tokenizer's pad id. */
  inputIds: Int32Array;
  /** 1 for a real token, 0 for padding. */
  attentionMask: Int32Array;
  /**
   * Segment ids (0 for a single text), present when the model's tokenizer returns
   * token_type_ids (BERT-style tokenizers; not RoBERTa, XLM-R, MPNet or DistilBERT), as in
   * Python.
   */
  tokenTypeIds?: Int32Array;
  /** `[rows, length]`: one row per text, `length` tokens each (the longest text's). */
  shape: [number, number];
}

/** Tokenizer classes whose model_input_names leave out token_type_ids (transformers' defaults). */
const NO_TOKEN_TYPE_IDS = /^(Roberta|XLMRoberta|MPNet|DistilBert|Camembert|Bart|GPT2|Llama|T5|Gemma|Qwen2|Mistral|Bloom|ModernBert|NomicBert|Longformer|Mbart|Marian)/i;

/**
 * Whether the tokenizer in `transformerDir` returns token_type_ids: tokenizer_config.json's
 * model_input_names when it has them, else the tokenizer class's default (transformers'
 * base tokenizer returns them; the classes above do not).
 */
export async function returnsTokenTypeIds(transformerDir: string): Promise<boolean> {
  const config = await readJsonFile<Record<string, unknown>>(join(transformerDir, 'tokenizer_config.json'), {}).catch(() => ({}) as Record<string, unknown>);
  if (Array.isArray(config.model_input_names)) return config.model_input_names.includes('token_type_ids');
  return !(typeof config.tokenizer_class === 'string' && NO_TOKEN_TYPE_IDS.test(config.tokenizer_class));
}
