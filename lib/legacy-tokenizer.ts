/**
 * A tokenizer for a model folder without tokenizer.json, converted from its older files as
 * transformers 5's AutoTokenizer converts them: the class named by tokenizer_config.json's
 * tokenizer_class (else config.json's model_type) decides the layout, and the result is a
 * tokenizer.json document the native tokenizer loads, so there is one tokenizer implementation.
 *   vocab.txt                          BertTokenizer, DistilBertTokenizer   WordPiece
 *   vocab.json + merges.txt            RobertaTokenizer, GPT2Tokenizer      byte-level BPE
 *   vocab.json + merges.txt            CLIPTokenizer                        byte-level BPE, </w>
 *   sentencepiece.bpe.model            XLMRobertaTokenizer                  Unigram
 *   spiece.model                       T5Tokenizer, AlbertTokenizer         Unigram
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { convertByteLevelBpe } from './convert-byte-level-bpe.js';
import { convertClipBpe } from './convert-clip-bpe.js';
import { convertSentencePiece, type SentencePieceClass } from './convert-sentencepiece.js';
import { convertWordPiece } from './convert-wordpiece.js';
import { exists, loadError, readJsonFile } from './json-files.js';
import { readLegacyTokenizerConfig } from './legacy-tokenizer-config.js';

/** transformers' AutoTokenizer mapping for the model types whose tokenizers we convert. */
const CLASS_BY_MODEL_TYPE: Readonly<Record<string, string>> = {
  bert: 'BertTokenizer',
  distilbert: 'BertTokenizer',
  electra: 'BertTokenizer',
  roberta: 'RobertaTokenizer',
  gpt2: 'GPT2Tokenizer',
  clip: 'CLIPTokenizer',
  'xlm-roberta': 'XLMRobertaTokenizer',
  t5: 'T5Tokenizer',
  albert: 'AlbertTokenizer',
};

/** The files each class reads, as its vocab_files_names says. */
const FILES_BY_CLASS: Readonly<Record<string, readonly string[]>> = {
  BertTokenizer: ['vocab.txt'],
  DistilBertTokenizer: ['vocab.txt'],
  RobertaTokenizer: ['vocab.json', 'merges.txt'],
  GPT2Tokenizer: ['vocab.json', 'merges.txt'],
  CLIPTokenizer: ['vocab.json', 'merges.txt'],
  XLMRobertaTokenizer: ['sentencepiece.bpe.model'],
  T5Tokenizer: ['spiece.model'],
  AlbertTokenizer: ['spiece.model'],
};

/** The tokenizer class transformers would load for `dir`, or null when nothing names one. */
async function tokenizerClass(dir: string, settings: Record<string, unknown>): Promise<string | null> {
  if (typeof settings.tokenizer_class === 'string') return settings.tokenizer_class.replace(/Fast$/, '');
  const config = await readJsonFile<Record<string, unknown>>(join(dir, 'config.json'), {});
  return typeof config.model_type === 'string' ? CLASS_BY_MODEL_TYPE[config.model_type] ?? null : null;
}

/**
 * The tokenizer.json document transformers would build from `dir`'s older tokenizer files, as
 * JSON text; an ERR_MODEL_LOAD naming what is missing when it cannot be built.
 */
export async function convertLegacyTokenizer(dir: string): Promise<string> {
  const config = await readLegacyTokenizerConfig(dir);
  const className = await tokenizerClass(dir, config.settings);
  const files = className === null ? undefined : FILES_BY_CLASS[className];
  if (className === null || files === undefined) {
    const what = className === null ? 'no tokenizer_class (tokenizer_config.json) or known model_type (config.json)' : `tokenizer class ${className}`;
    throw loadError(`${dir} has no tokenizer.json, and ${what} tells how to build one from its other files ` +
      `(supported: ${Object.keys(FILES_BY_CLASS).join(', ')}); save the tokenizer with transformers to write a tokenizer.json`);
  }
  for (const file of files) {
    if (!(await exists(join(dir, file)))) throw loadError(`${dir} has no tokenizer.json, and its ${className} needs ${files.join(' and ')}: ${file} not found`);
  }
  let document;
  if (className === 'BertTokenizer' || className === 'DistilBertTokenizer') document = await convertWordPiece(dir, config);
  else if (className === 'RobertaTokenizer' || className === 'GPT2Tokenizer') document = await convertByteLevelBpe(dir, config, className);
  else if (className === 'CLIPTokenizer') document = await convertClipBpe(dir, config);
  else document = await convertSentencePiece(join(dir, files[0] as string), config, className as SentencePieceClass);
  return JSON.stringify(document);
}
