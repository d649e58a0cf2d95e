/**
 * Unigram tokenizers from a SentencePiece model file, as transformers 5 builds them when a
 * folder has no tokenizer.json: SentencePieceExtractor's pieces, scores and charsmap, then the
 * class's own layout — XLM-R's (fairseq's <s> <pad> </s> <unk> in front, <mask> last), T5's
 * (sentinel <extra_id_N> pieces appended in reverse) and ALBERT's (the model's pieces as they
 * are, with its quote, accent and case normalizers).
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';

import { type LegacyTokenizerConfig, resolveAddedTokens, SPECIAL_TOKEN_NAMES, type TokenValue, tokenContent, tokenId, type VocabularyIds } from './legacy-tokenizer-config.js';
import { loadError } from './json-files.js';
import { PIECE_TYPE, parseSentencePieceModel, type SentencePieceModel } from './sentencepiece-model.js';
import { type Json, metaspace, metaspacePreTokenizer, templateProcessing, tokenizerDocument } from './tokenizer-json-parts.js';

export type SentencePieceClass = 'XLMRobertaTokenizer' | 'T5Tokenizer' | 'AlbertTokenizer';

async function readModel(file: string): Promise<SentencePieceModel> {
  try {
    return parseSentencePieceModel(new Uint8Array(await readFile(file)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw loadError(`tokenizer model not found: ${file}`);
    throw loadError(`${file} is not a SentencePiece model: ${(error as Error).message}`);
  }
}

function flag(settings: Record<string, unknown>, key: string, fallback: boolean): boolean {
  return typeof settings[key] === 'boolean' ? (settings[key] as boolean) : fallback;
}

/**
 * SentencePieceExtractor's added tokens: control pieces are special, user-defined ones are not,
 * both matched on the raw text (normalized false).
 */
function modelTokens(model: SentencePieceModel): TokenValue[] {
  return model.pieces
    .filter((piece) => piece.type === PIECE_TYPE.CONTROL || piece.type === PIECE_TYPE.USER_DEFINED)
    .map((piece) => ({ content: piece.piece, single_word: false, lstrip: false, rstrip: false, normalized: false, special: piece.type === PIECE_TYPE.CONTROL }));
}

/** The charsmap as a Precompiled normalizer, or null when the model has none. */
function precompiled(model: SentencePieceModel): Json {
  const charsmap = model.normalizer.precompiledCharsmap;
  return charsmap.length === 0 ? null : { type: 'Precompiled', precompiled_charsmap: Buffer.from(charsmap).toString('base64') };
}

interface Layout {
  vocab: Array<[string, number]>;
  unkId: number;
  defaults: Record<string, TokenValue>;
  /** The extra special tokens the class ends with, given SentencePieceExtractor's. */
  extras: (extracted: TokenValue[]) => TokenValue[];
}

function layout(className: SentencePieceClass, model: SentencePieceModel, config: LegacyTokenizerConfig): Layout {
  const pieces = model.pieces.map((piece): [string, number] => [piece.piece, piece.score]);
  const named = (name: string, fallback: string): string => tokenContent(config.named[name as keyof typeof config.named] ?? fallback);
  switch (className) {
    case 'XLMRobertaTokenizer':
      // XLMRobertaConverter.convert_from_spm: fairseq's four specials, the model's pieces after
      // its own first three (<unk> <s> </s>), then <mask>.
      return {
        vocab: [[named('bos_token', '<s>'), 0], [named('pad_token', '<pad>'), 0], [named('eos_token', '</s>'), 0], [named('unk_token', '<unk>'), 0],
          ...pieces.slice(3), [named('mask_token', '<mask>'), 0]],
        unkId: 3,
        defaults: { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' },
        extras: (extracted) => extracted,
      };
    case 'T5Tokenizer': {
      const extraIds = typeof config.settings.extra_ids === 'number' ? config.settings.extra_ids : 100;
      const sentinels = Array.from({ length: extraIds }, (_, i) => `<extra_id_${i}>`);
      return {
        vocab: [...pieces, ...[...sentinels].reverse().map((token): [string, number] => [token, 0])],
        unkId: 2,
        defaults: { eos_token: '</s>', unk_token: '<unk>', pad_token: '<pad>' },
        // T5Tokenizer.__init__: the sentinels join the extracted tokens unless some are there.
        extras: (extracted) => {
          const present = extracted.filter((token) => tokenContent(token).includes('<extra_id_')).length;
          if (present === 0) return [...extracted, ...sentinels];
          if (extraIds > 0 && present !== extraIds) {
            throw loadError(`tokenizer_config.json: extra_ids (${extraIds}) and the additional special tokens' ${present} sentinels disagree`);
          }
          return extracted;
        },
      };
    }
    case 'AlbertTokenizer':
      return {
        vocab: pieces,
        unkId: 1,
        defaults: { bos_token: '[CLS]', eos_token: '[SEP]', unk_token: '<unk>', sep_token: '[SEP]', pad_token: '<pad>', cls_token: '[CLS]', mask_token: '[MASK]' },
        extras: (extracted) => extracted,
      };
  }
}

export async function convertSentencePiece(file: string, config: LegacyTokenizerConfig, className: SentencePieceClass): Promise<Json> {
  const model = await readModel(file);
  const { vocab, unkId, defaults, extras } = layout(className, model, config);
  // The model's unigram ids: a piece listed twice keeps its last id, as tokenizers' Unigram.
  const ids = new Map<string, number>();
  vocab.forEach(([piece], id) => ids.set(piece, id));
  const vocabulary: VocabularyIds = { idOf: (piece) => ids.get(piece), size: vocab.length };
  const named: Record<string, TokenValue> = { ...defaults, ...config.named };
  // SentencePieceExtractor replaces special_tokens_map.json's additional tokens with the model's.
  const extracted = extras(modelTokens(model));
  const added = resolveAddedTokens(SPECIAL_TOKEN_NAMES.map((name) => named[name]), config.extras ?? extracted,
    config.decoder.map(([, token]) => token), vocabulary);
  const { settings } = config;
  const idOf = (name: string, from: 'added' | 'model' = 'added'): [string, number] => {
    const content = tokenContent(named[name] as TokenValue);
    const id = from === 'model' ? vocabulary.idOf(content) : tokenId(content, added, vocabulary);
    if (id === undefined) throw loadError(`${file}: the ${name} ${JSON.stringify(content)} is not in the vocabulary`);
    return [content, id];
  };
  const prepend = flag(settings, 'add_prefix_space', true) ? 'always' : 'never';
  let normalizer: Json = precompiled(model);
  let preTokenizer = metaspacePreTokenizer(prepend);
  let decoder = metaspace('Metaspace', prepend);
  let postProcessor: Json;
  if (className === 'XLMRobertaTokenizer') {
    const [bos, eos] = [idOf('bos_token'), idOf('eos_token')];
    postProcessor = templateProcessing([bos[0], '$A', eos[0]], [bos[0], '$A', eos[0], eos[0], '$B', eos[0]], [bos, eos]);
  } else if (className === 'T5Tokenizer') {
    preTokenizer = metaspacePreTokenizer('always');
    decoder = metaspace('Metaspace', 'always');
    // T5Tokenizer writes "</s>" itself, with the eos token's id.
    postProcessor = templateProcessing(['$A', '</s>'], ['$A', '</s>', '$B', '</s>'], [['</s>', idOf('eos_token')[1]]]);
  } else {
    const list: Json[] = [{ type: 'Replace', pattern: { String: '``' }, content: '"' }, { type: 'Replace', pattern: { String: "''" }, content: '"' }];
    if (!flag(settings, 'keep_accents', false)) list.push({ type: 'NFKD' }, { type: 'StripAccents' });
    if (flag(settings, 'do_lower_case', true)) list.push({ type: 'Lowercase' });
    if (normalizer !== null) list.push(normalizer);
    normalizer = { type: 'Sequence', normalizers: list };
    // AlbertTokenizer sets its template before the added tokens, from the model's own ids.
    postProcessor = templateProcessing('[CLS]:0 $A:0 [SEP]:0', '[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1',
      [['[CLS]', idOf('cls_token', 'model')[1]], ['[SEP]', idOf('sep_token', 'model')[1]]]);
  }
  return tokenizerDocument({
    added,
    normalizer,
    preTokenizer,
    postProcessor,
    decoder,
    model: { type: 'Unigram', unk_id: unkId, vocab, byte_fallback: false, sentencekit_exact_scores: true },
  });
}
