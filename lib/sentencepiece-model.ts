/**
 * Reads a SentencePiece model file (sentencepiece.bpe.model, spiece.model): a protobuf
 * ModelProto, of which the tokenizer converters need the pieces (text, score, type), the
 * trainer's model type and special ids, and the normalizer's precompiled charsmap. A small
 * reader of the protobuf wire format, so no protobuf dependency: unknown fields are skipped,
 * as protobuf does.
 * Internal: not exported from the package entry point.
 */

/** SentencePiece.Type: how a piece is treated when text is encoded. */
export const PIECE_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
/** TrainerSpec.ModelType. */
export const MODEL_TYPE = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface SentencePiece {
  piece: string;
  /** The float32 score, widened exactly to a double. */
  score: number;
  type: number;
}

export interface SentencePieceModel {
  pieces: SentencePiece[];
  trainer: {
    modelType: number;
    unkId: number;
    bosId: number;
    eosId: number;
    padId: number;
    byteFallback: boolean;
  };
  normalizer: {
    name: string;
    /** Empty when the model has none (the identity normalization). */
    precompiledCharsmap: Uint8Array;
    addDummyPrefix: boolean;
    removeExtraWhitespaces: boolean;
  };
}

// Protobuf wire types.
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** A cursor over one message's bytes. Throws on truncated or malformed input. */
class WireReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** A varint as a BigInt: int32 fields store negative values as ten-byte, 64-bit varints. */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.#pos >= this.#end) throw new Error('truncated varint');
      const byte = this.#bytes[this.#pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error('varint longer than ten bytes');
  }

  /** An int32 field's value (two's complement of the low 32 bits). */
  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  float32(): number {
    if (this.#pos + 4 > this.#end) throw new Error('truncated float');
    const value = this.#view.getFloat32(this.#pos, true);
    this.#pos += 4;
    return value;
  }

  /** A length-delimited field's bounds, skipped over. */
  delimited(): [number, number] {
    const length = Number(this.varint());
    const start = this.#pos;
    if (length < 0 || start + length > this.#end) throw new Error('truncated length-delimited field');
    this.#pos += length;
    return [start, start + length];
  }

  tag(): { field: number; wire: number } {
    const tag = Number(this.varint());
    return { field: tag >>> 3, wire: tag & 7 };
  }

  skip(wire: number): void {
    if (wire === VARINT) this.varint();
    else if (wire === FIXED64) this.#advance(8);
    else if (wire === LENGTH_DELIMITED) this.delimited();
    else if (wire === FIXED32) this.#advance(4);
    else throw new Error(`unsupported wire type ${wire}`);
  }

  sub(bounds: [number, number]): WireReader {
    return new WireReader(this.#bytes, bounds[0], bounds[1]);
  }

  text(bounds: [number, number]): string {
    // ignoreBOM: a piece may be U+FEFF itself, which a decoder would otherwise drop.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(this.#bytes.subarray(bounds[0], bounds[1]));
  }

  bytes(bounds: [number, number]): Uint8Array {
    return this.#bytes.slice(bounds[0], bounds[1]);
  }

  #advance(count: number): void {
    if (this.#pos + count > this.#end) throw new Error('truncated fixed-width field');
    this.#pos += count;
  }
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what} has wire type ${actual}, expected ${expected}`);
}

function readPiece(reader: WireReader): SentencePiece {
  // Field defaults as proto2 declares them.
  const piece: SentencePiece = { piece: '', score: 0, type: PIECE_TYPE.NORMAL };
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1) {
      expectWire(wire, LENGTH_DELIMITED, 'SentencePiece.piece');
      piece.piece = reader.text(reader.delimited());
    } else if (field === 2) {
      expectWire(wire, FIXED32, 'SentencePiece.score');
      piece.score = reader.float32();
    } else if (field === 3) {
      expectWire(wire, VARINT, 'SentencePiece.type');
      piece.type = reader.int32();
    } else {
      reader.skip(wire);
    }
  }
  return piece;
}

function readTrainer(reader: WireReader): SentencePieceModel['trainer'] {
  const trainer = { modelType: MODEL_TYPE.UNIGRAM as number, unkId: 0, bosId: 1, eosId: 2, padId: -1, byteFallback: false };
  const ints: Record<number, keyof typeof trainer> = { 3: 'modelType', 40: 'unkId', 41: 'bosId', 42: 'eosId', 43: 'padId' };
  while (!reader.done) {
    const { field, wire } = reader.tag();
    const key = ints[field];
    if (key !== undefined && wire === VARINT) {
      (trainer[key] as number) = reader.int32();
    } else if (field === 35 && wire === VARINT) {
      trainer.byteFallback = reader.varint() !== 0n;
    } else {
      reader.skip(wire);
    }
  }
  return trainer;
}

function readNormalizer(reader: WireReader): SentencePieceModel['normalizer'] {
  const normalizer: SentencePieceModel['normalizer'] = { name: '', precompiledCharsmap: new Uint8Array(0), addDummyPrefix: true, removeExtraWhitespaces: true };
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === LENGTH_DELIMITED) normalizer.name = reader.text(reader.delimited());
    else if (field === 2 && wire === LENGTH_DELIMITED) normalizer.precompiledCharsmap = reader.bytes(reader.delimited());
    else if (field === 3 && wire === VARINT) normalizer.addDummyPrefix = reader.varint() !== 0n;
    else if (field === 4 && wire === VARINT) normalizer.removeExtraWhitespaces = reader.varint() !== 0n;
    else reader.skip(wire);
  }
  return normalizer;
}

/** Parses a ModelProto; throws an Error saying what is malformed. */
export function parseSentencePieceModel(bytes: Uint8Array): SentencePieceModel {
  const reader = new WireReader(bytes);
  const pieces: SentencePiece[] = [];
  let trainer: SentencePieceModel['trainer'] | undefined;
  let normalizer: SentencePieceModel['normalizer'] | undefined;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1) {
      expectWire(wire, LENGTH_DELIMITED, 'ModelProto.pieces');
      pieces.push(readPiece(reader.sub(reader.delimited())));
    } else if (field === 2) {
      expectWire(wire, LENGTH_DELIMITED, 'ModelProto.trainer_spec');
      trainer = readTrainer(reader.sub(reader.delimited()));
    } else if (field === 3) {
      expectWire(wire, LENGTH_DELIMITED, 'ModelProto.normalizer_spec');
      normalizer = readNormalizer(reader.sub(reader.delimited()));
    } else {
      reader.skip(wire);
    }
  }
  if (pieces.length === 0) throw new Error('the model has no pieces');
  return {
    pieces,
    trainer: trainer ?? readTrainer(new WireReader(new Uint8Array(0))),
    normalizer: normalizer ?? readNormalizer(new WireReader(new Uint8Array(0))),
  };
}
