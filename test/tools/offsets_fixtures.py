"""Offsets parity fixtures for /tokenize: Python `tokenizers`' Encoding.offsets (code point
offsets, special tokens at (0, 0)) and ids for every distinct fixture tokenizer.json, which
test/native/tokenizer_offsets_test.cc must reproduce.

Texts: every line of test/fixtures/tokenizers/corpus.bin (make_tokenizer_fixtures.py writes it
first) and lines that together hold every code point (code_point_lines: 64 consecutive code
points a line, surrogates aside, with spaces, capitals and a digit between them), encoded alone
with the special tokens, alone without them, truncated to 40 tokens on the left, and the corpus
pairs truncated to 48 tokens (longest_first, right).

Run with the fixture venv: test/tools/.venv/bin/python test/tools/offsets_fixtures.py

Writes test/fixtures/tokenizers/offsets.bin: "SKTO", u32 tokenizer count; per tokenizer u32
path length + path (under test/fixtures), u32 section count; per section u32 name length + name,
u32 kind (0 corpus lines, 1 code point lines, 2 corpus pairs), u32 add_special_tokens,
u32 max_length (0: none), u32 side (0 right, 1 left), u32 record count, then one u16 digest per
record (digests()).
"""
from __future__ import annotations

import os
import struct
from multiprocessing import Pool
from pathlib import Path

from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("SENTENCEKIT_FIXTURES_OUT") or ROOT / "test" / "fixtures")
LINE_CODE_POINTS = 64


def read_corpus() -> tuple[list[str], list[tuple[int, int]]]:
    blob = (FIXTURES / "tokenizers" / "corpus.bin").read_bytes()
    assert blob[:4] == b"SKTC"
    pos = 4
    (count,) = struct.unpack_from("<I", blob, pos)
    pos += 4
    lines = []
    for _ in range(count):
        (length,) = struct.unpack_from("<I", blob, pos)
        pos += 4
        lines.append(blob[pos:pos + length].decode("utf-8"))
        pos += length
    (count,) = struct.unpack_from("<I", blob, pos)
    pos += 4
    pairs = [struct.unpack_from("<II", blob, pos + 8 * i) for i in range(count)]
    return lines, pairs


def code_point_lines() -> list[str]:
    """Every code point but the surrogates, 64 a line; before every fourth one a space, before
    every ninth an 'A', before every sixteenth a '7' (the C++ test builds the same lines)."""
    lines = []
    for first in range(0, 0x110000, LINE_CODE_POINTS):
        chars = []
        for i, c in enumerate(range(first, first + LINE_CODE_POINTS)):
            if 0xD800 <= c <= 0xDFFF:
                continue
            if i % 4 == 3:
                chars.append(" ")
            if i % 9 == 8:
                chars.append("A")
            if i % 16 == 15:
                chars.append("7")
            chars.append(chr(c))
        if chars:
            lines.append("".join(chars))
    return lines


def digests(encodings) -> bytes:
    """Each encoding's digest, as little-endian u16s: FNV-1a (32-bit) over the little-endian u32
    words token count, ids, then each offset's start and end, folded to 16 bits. Run over many
    records at once, byte position by byte position (numpy's uint32 product wraps mod 2**32),
    records of similar length together: a Python loop over every byte took minutes."""
    import numpy as np

    rows = [np.array([len(e.ids), *e.ids, *(v for pair in e.offsets for v in pair)], dtype=np.int64).astype(np.uint32)
            for e in encodings]
    lengths = np.array([len(row) for row in rows], dtype=np.int64)
    out = np.zeros(len(rows), dtype=np.uint32)
    prime = np.uint32(0x01000193)
    order = np.argsort(lengths, kind="stable")
    for start in range(0, len(order), 2048):
        chunk = order[start:start + 2048]
        chunk_lengths = lengths[chunk]
        words = np.zeros((len(chunk), int(chunk_lengths.max())), dtype=np.uint32)
        for i, index in enumerate(chunk):
            words[i, :chunk_lengths[i]] = rows[index]
        h = np.full(len(chunk), 0x811C9DC5, dtype=np.uint32)
        for j in range(words.shape[1]):
            live = chunk_lengths > j
            for shift in (0, 8, 16, 24):
                byte = (words[:, j] >> np.uint32(shift)) & np.uint32(0xFF)
                h = np.where(live, (h ^ byte) * prime, h)
        out[chunk] = (h ^ (h >> np.uint32(16))) & np.uint32(0xFFFF)
    return out.astype("<u2").tobytes()


SECTIONS = [
    # name, kind, add_special_tokens, max_length, side
    ("corpus", 0, True, 0, "right"),
    ("code_points", 1, True, 0, "right"),
    ("corpus_no_special", 0, False, 0, "right"),
    ("code_points_no_special", 1, False, 0, "right"),
    ("corpus_40_left", 0, True, 40, "left"),
    ("pairs_48_right", 2, True, 48, "right"),
]


# One tokenizer.json per distinct content among the fixtures (a fixed list, so fixture models
# added later do not change this file): every family of make_tokenizer_fixtures.py and every
# model generator's own tokenizer (the rest are byte-for-byte copies of these).
TOKENIZERS = [
    "tokenizers/bert", "tokenizers/mpnet", "tokenizers/roberta", "tokenizers/xlmr", "tokenizers/split-bpe",
    "tokenizers/misc-wordpiece", "tiny-bert", "tiny-mpnet", "tiny-qwen3", "tiny-ce-long", "tiny-ce-roberta",
    "static-xlmr-m2v", "tiny-ce-distilbert", "tiny-ce-modernbert-cls", "tiny-clip",
]


def tokenizer_paths() -> list[Path]:
    return [FIXTURES / folder / "tokenizer.json" for folder in TOKENIZERS]


def tokenizer_record(path: Path) -> bytes:
    """One tokenizer's part of offsets.bin: its path and every section's digests."""
    lines, pairs = read_corpus()
    points = code_point_lines()
    relative = path.relative_to(FIXTURES).as_posix().encode()
    blob = bytearray(struct.pack("<I", len(relative)) + relative + struct.pack("<I", len(SECTIONS)))
    for name, kind, special, max_length, side in SECTIONS:
        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        if max_length:
            tokenizer.enable_truncation(max_length, strategy="longest_first", direction=side)
        if kind == 2:
            encodings = tokenizer.encode_batch([(lines[a], lines[b]) for a, b in pairs], add_special_tokens=special)
        else:
            encodings = tokenizer.encode_batch(lines if kind == 0 else points, add_special_tokens=special)
        blob += struct.pack("<I", len(name)) + name.encode()
        blob += struct.pack("<IIIII", kind, int(special), max_length, ["right", "left"].index(side), len(encodings))
        blob += digests(encodings)
    print(f"{path.relative_to(FIXTURES)}: {len(SECTIONS)} sections", flush=True)
    return bytes(blob)


def main() -> None:
    paths = tokenizer_paths()
    blob = bytearray(b"SKTO") + struct.pack("<I", len(paths))
    # One process per tokenizer at a time, as many as there are CPUs; the parts keep the list's order.
    with Pool(os.cpu_count() or 1) as pool:
        for part in pool.map(tokenizer_record, paths):
            blob += part
    (FIXTURES / "tokenizers" / "offsets.bin").write_bytes(bytes(blob))


if __name__ == "__main__":
    main()
