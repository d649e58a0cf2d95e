"""Every code point through every normalizer and pre-tokenizer of Python `tokenizers`: the
tables the C++ tokenizer classifies characters with, and the references that check them.

`tokenizers` has no single Unicode database. Its components answer from different crates, each
frozen at its own Unicode version: BertNormalizer's controls, BertPreTokenizer's punctuation and
strip_accents' nonspacing marks from `unicode_categories` (Unicode 8: it knows none of 9.0's
punctuation), NFD/NFKD/NFC/NFKC and StripAccents from `unicode-normalization-alignments` (it
knows no decomposition added since 12.1), lowercase, whitespace and Digits from Rust's `char`,
ByteLevel and Split regexes from Oniguruma, Whitespace from the `regex` crate, Precompiled's
grapheme clusters from `unicode-segmentation` (those at Unicode 16 or 17). Any one library
(utf8proc, PCRE2) disagrees with each of them somewhere. So nothing here reads a Unicode
database: every decision is probed from `tokenizers` itself, one code point at a time, and the
C++ side reads what the probes found.

Run with the fixture venv (test/tools/fixtures.py runs it after make_tokenizer_fixtures.py,
whose XLM-R charsmap it reads):

    test/tools/.venv/bin/python test/tools/unicode_tables.py
    test/tools/.venv/bin/python test/tools/unicode_tables.py show NAME CONTEXT FIRST [LAST]

Writes:
  native/tokenizer/unicode_data.{h,cc}   the tables (C++ source, generated: never edit by hand);
                                         under fixtures.py they go to <out>/native/... and are
                                         committed at that path in the source tree
  test/fixtures/unicode/components.json  each component's tokenizer.json config and contexts
  test/fixtures/unicode/expected.bin     per component and context, a CRC-32 of the outputs of
                                         each block of 1,024 code points (surrogates skipped),
                                         which test/native/tokenizer_unicode_test.cc recomputes

`show` prints the reference's outputs for a range of code points in the form the native test
prints its own (SENTENCEKIT_UNICODE_SHOW=NAME:CONTEXT:FIRST:LAST), to find a failing block's
code point.
"""
from __future__ import annotations

import base64
import json
import os
import struct
import sys
import unicodedata
import zlib
from multiprocessing import Pool
from pathlib import Path

from tokenizers import Regex, normalizers, pre_tokenizers

ROOT = Path(__file__).resolve().parents[2]
OUT_ROOT = Path(os.environ.get("SENTENCEKIT_FIXTURES_OUT") or ROOT / "test" / "fixtures")
OUT = OUT_ROOT / "unicode"
# fixtures.py collects generated sources under its scratch folder's native/ and commits them in
# the source tree; run alone, this script writes them there directly.
NATIVE_OUT = (OUT_ROOT / "native" if os.environ.get("SENTENCEKIT_FIXTURES_OUT") else ROOT / "native") / "tokenizer"

MAX_CODE_POINT = 0x10FFFF
BLOCK_BITS = 10
BLOCKS = (MAX_CODE_POINT >> BLOCK_BITS) + 1
CHUNK = 1 << 15  # code points per worker task (a multiple of the block)

# Oniguruma's general categories, in the order of the table's 5-bit field.
CATEGORIES = ["Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi",
              "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co"]
# Grapheme_Cluster_Break values, in the order of the table's 4-bit field (Other is 0).
GRAPHEME = ["Other", "CR", "LF", "Control", "Extend", "ZWJ", "RegionalIndicator", "Prepend", "SpacingMark", "L", "V",
            "T", "LV", "LVT"]
INCB = ["None", "Linker", "Consonant", "Extend"]

VIRAMA = "\u094d"      # Devanagari virama: InCB=Linker
KA = "\u0915"          # Devanagari KA: InCB=Consonant
ACUTE = "\u0301"       # an Extend of two UTF-8 bytes (InCB=Extend)
COPYRIGHT = "\u00a9"   # Extended_Pictographic in two UTF-8 bytes
ZWJ = "\u200d"

# The text around the probed code point: (before, after).
CONTEXTS = {
    "alone": ("", ""),
    "letters": ("a", "b"),
    "spaces": ("a ", " b"),
    # Contractions ('s 't 're ...): case-insensitive in Llama 3's and GPT-4o's patterns.
    "after-apostrophe": ("'", ""),
    # Canonical ordering: U+0345 (ccc 240) moves after c when 0 < ccc(c) < 240; U+0334 (ccc 1)
    # moves before c when ccc(c) > 1.
    "after-iota": ("\u0345", ""),
    "before-overlay": ("", "\u0334"),
    # Oniguruma's classes: the Split pattern's matching alternative consumes a known number of stars.
    "category-probe": ("", "*" * (len(CATEGORIES) + 1)),
    "class-probe": ("", "*" * 9),
    # Grapheme clusters, seen through the marker charsmap (one star per short cluster, one per
    # character of a long one: see marker_charsmap).
    "then-letter": ("", "a"),
    "after-letter": ("a", ""),
    "then-marks": ("", ACUTE + ACUTE),
    "emoji-zwj": (COPYRIGHT, ZWJ + COPYRIGHT + ACUTE),
    "zwj-emoji": ("", ZWJ + COPYRIGHT + ACUTE),
    "after-virama": (KA + VIRAMA, ACUTE),
    "between-consonants": (KA, KA + ACUTE),
    "virama-then-consonant": (KA + VIRAMA, KA + ACUTE),
    "after-l-jamo": ("\u1100", ACUTE),
    "regional-pair": ("\U0001F1E6", ACUTE),
}
BASIC = ["alone", "letters", "spaces"]
PATTERNS = BASIC + ["after-apostrophe"]

# Llama 3 / cl100k's pre-tokenizer pattern, and GPT-4o's (o200k), whose classes name every letter category.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
O200K_PATTERN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                 r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                 r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
# One alternative per category, each consuming one more star than the last.
CATEGORY_PATTERN = "|".join(rf"\p{{{name}}}\*{{{i + 1}}}" for i, name in enumerate(CATEGORIES))
# \s \w \d as three bits, from the most stars to the fewest.
CLASS_PATTERN = "|".join(
    "".join(f"(?{'=' if mask >> bit & 1 else '!'}{cls})" for bit, cls in enumerate([r"\s", r"\w", r"\d"]))
    + rf"[\x{{0}}-\x{{10FFFF}}]\*{{{mask + 1}}}" for mask in range(7, -1, -1))


def marker_charsmap() -> bytes:
    """A Precompiled charsmap whose keys are the 255 one-byte strings, each replaced by "*".

    Every short grapheme cluster (under 6 UTF-8 bytes) then becomes one star, and every character
    of a longer one a star of its own, so the star count of a probe shows where `tokenizers`
    cut its clusters. Built here as the double array SentencePiece's darts-clone writes (one
    byte per key, so the trie is flat: the root's children at 256 ^ byte, their leaves at
    512 + byte)."""
    units = [0] * 768
    units[0] = 256 << 10
    for byte in range(1, 256):
        units[256 ^ byte] = byte | (1 << 8) | (768 << 10)
        units[(256 ^ byte) ^ 768] = 1 << 31  # the replacement at offset 0
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + b"*\0"


def xlmr_charsmap() -> bytes:
    """The nmt_nfkc charsmap of the XLM-R fixture tokenizer (make_tokenizer_fixtures.py)."""
    config = json.loads((OUT_ROOT / "tokenizers" / "xlmr" / "tokenizer.json").read_text(encoding="utf-8"))
    return base64.b64decode(config["normalizer"]["normalizers"][0]["precompiled_charsmap"])


def bert(clean_text: bool, chinese: bool, strip_accents: bool, lowercase: bool):
    return normalizers.BertNormalizer(clean_text=clean_text, handle_chinese_chars=chinese,
                                      strip_accents=strip_accents, lowercase=lowercase)


UNICODE_FORMS = BASIC + ["after-iota", "before-overlay"]
GRAPHEME_CONTEXTS = BASIC + ["then-letter", "after-letter", "then-marks", "emoji-zwj", "zwj-emoji", "after-virama",
                             "between-consonants", "virama-then-consonant", "after-l-jamo", "regional-pair"]

# name, kind, factory, contexts; `config_from` names where the C++ test finds a config too large
# to repeat (the XLM-R charsmap).
COMPONENTS = [
    ("bert-clean-text", "normalizer", lambda: bert(True, False, False, False), BASIC),
    ("bert-chinese-chars", "normalizer", lambda: bert(False, True, False, False), BASIC),
    ("bert-strip-accents", "normalizer", lambda: bert(False, False, True, False), BASIC),
    ("bert-lowercase", "normalizer", lambda: bert(False, False, False, True), BASIC),
    ("bert", "normalizer", lambda: normalizers.BertNormalizer(), BASIC),
    ("nfd", "normalizer", normalizers.NFD, UNICODE_FORMS),
    ("nfkd", "normalizer", normalizers.NFKD, UNICODE_FORMS),
    ("nfc", "normalizer", normalizers.NFC, UNICODE_FORMS),
    ("nfkc", "normalizer", normalizers.NFKC, UNICODE_FORMS),
    ("lowercase", "normalizer", normalizers.Lowercase, BASIC),
    ("strip-accents", "normalizer", normalizers.StripAccents, BASIC),
    ("strip", "normalizer", lambda: normalizers.Strip(left=True, right=True), BASIC),
    ("replace-literal", "normalizer", lambda: normalizers.Replace("\u00a0", " "), BASIC),
    ("replace-regex", "normalizer", lambda: normalizers.Replace(Regex(r"[^\p{L}\p{N}\s]+|\s+|\d|\W"), "|"), BASIC),
    ("precompiled-nmt-nfkc", "normalizer", lambda: normalizers.Precompiled(xlmr_charsmap()), BASIC),
    ("precompiled-marker", "normalizer", lambda: normalizers.Precompiled(marker_charsmap()), GRAPHEME_CONTEXTS),
    ("bert-pre-tokenizer", "pre_tokenizer", pre_tokenizers.BertPreTokenizer, BASIC),
    ("punctuation", "pre_tokenizer", lambda: pre_tokenizers.Punctuation(behavior="isolated"), BASIC),
    ("whitespace", "pre_tokenizer", pre_tokenizers.Whitespace, BASIC),
    ("whitespace-split", "pre_tokenizer", pre_tokenizers.WhitespaceSplit, BASIC),
    ("metaspace", "pre_tokenizer", lambda: pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always",
                                                                     split=True), BASIC),
    ("byte-level", "pre_tokenizer", lambda: pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True), PATTERNS),
    ("digits", "pre_tokenizer", lambda: pre_tokenizers.Digits(individual_digits=False), BASIC),
    ("digits-individual", "pre_tokenizer", lambda: pre_tokenizers.Digits(individual_digits=True), BASIC),
    ("split-llama3", "pre_tokenizer", lambda: pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated"), PATTERNS),
    ("split-o200k", "pre_tokenizer", lambda: pre_tokenizers.Split(Regex(O200K_PATTERN), behavior="isolated"), PATTERNS),
    ("split-categories", "pre_tokenizer", lambda: pre_tokenizers.Split(Regex(CATEGORY_PATTERN), behavior="isolated"),
     ["category-probe"]),
    ("split-classes", "pre_tokenizer", lambda: pre_tokenizers.Split(Regex(CLASS_PATTERN), behavior="isolated"),
     ["class-probe"]),
]
CONFIG_FROM = {"precompiled-nmt-nfkc": {"file": "tokenizers/xlmr/tokenizer.json",
                                        "path": ["normalizer", "normalizers", 0]}}


def scalar_values(first: int, last: int):
    return (c for c in range(first, last + 1) if not 0xD800 <= c <= 0xDFFF)


def serialize(kind: str, output) -> bytes:
    """A normalizer's text, or a pre-tokenizer's pieces each closed by 0xFE; then 0xFF (bytes no
    UTF-8 text holds, so the concatenation of outputs is unambiguous)."""
    if kind == "normalizer":
        return output.encode("utf-8") + b"\xff"
    return b"".join(piece.encode("utf-8") + b"\xfe" for piece, _ in output) + b"\xff"


def built_components():
    built = []
    for name, kind, factory, contexts in COMPONENTS:
        component = factory()
        run = component.normalize_str if kind == "normalizer" else component.pre_tokenize_str
        built.append((name, kind, run, [(context, *CONTEXTS[context]) for context in contexts]))
    return built


# ---------------------------------------------------------------------------------------------
# Probing: each worker takes a range of code points, runs every component in every context,
# folds the outputs into per-block CRCs and reads the per-character decisions off them.


# The outputs the tables are read from (the others only feed the CRCs).
READ = {("bert-clean-text", "alone"), ("whitespace-split", "letters"), ("punctuation", "letters"),
        ("digits-individual", "letters"), ("strip-accents", "alone"), ("bert-strip-accents", "alone"),
        ("lowercase", "alone"), ("whitespace", "letters"), ("split-categories", "category-probe"),
        ("split-classes", "class-probe"), ("nfd", "after-iota"), ("nfd", "before-overlay"),
        *((form, "alone") for form in ("nfd", "nfkd", "nfc", "nfkc")),
        *(("precompiled-marker", context) for context in GRAPHEME_CONTEXTS)}


def block_crc(kind: str, outputs: list) -> int:
    if kind == "normalizer":
        return zlib.crc32(b"\xff".join(output.encode("utf-8") for output in outputs) + b"\xff") if outputs else 0
    return zlib.crc32(b"".join(serialize(kind, output) for output in outputs))


def probe_range(first: int) -> dict:
    """One component and context at a time over the range (a list comprehension per pair keeps
    the Python overhead small next to the calls into tokenizers)."""
    last = min(first + CHUNK, MAX_CODE_POINT + 1) - 1
    chars = [chr(c) for c in scalar_values(first, last)]
    starts = [0]  # where each block's characters begin in `chars`
    for block_first in range(first + (1 << BLOCK_BITS), last + 2, 1 << BLOCK_BITS):
        starts.append(len(list(scalar_values(first, block_first - 1))))
    crcs = {}
    seen = {}
    for name, kind, run, contexts in built_components():
        for context, before, after in contexts:
            outputs = [run(before + char + after) for char in chars]
            crcs[(name, context)] = [block_crc(kind, outputs[begin:end]) for begin, end in zip(starts, starts[1:])]
            if (name, context) in READ:
                seen[(name, context)] = outputs if kind == "normalizer" else [pieces(output) for output in outputs]
    classes: dict[int, int] = {}
    maps: dict[str, dict[int, str]] = {form: {} for form in ("nfd", "nfkd", "nfc", "nfkc", "lowercase")}
    ordering = []
    for i, char in enumerate(chars):
        c = ord(char)
        mine = {key: outputs[i] for key, outputs in seen.items()}
        classes[c] = class_value(c, mine)
        for form, found in maps.items():
            if mine[(form, "alone")] != char:
                found[c] = mine[(form, "alone")]
        # Canonical ordering moved a neighbour across c: c has a nonzero combining class.
        if mine[("nfd", "alone")] == char and (mine[("nfd", "after-iota")] != "\u0345" + char
                                               or mine[("nfd", "before-overlay")] != char + "\u0334"):
            ordering.append(c)
    return {"first": first, "crcs": crcs, "classes": classes, "maps": maps, "ordering": ordering}


def pieces(output) -> list[str]:
    return [piece for piece, _ in output]


def class_value(c: int, seen: dict) -> int:
    """The class table's entry for one character, read off its outputs (a pre-tokenizer's as
    its list of pieces)."""
    char = chr(c)
    found = {}
    clean = seen[("bert-clean-text", "alone")]
    found["clean_removes"] = clean == ""
    found["whitespace"] = seen[("whitespace-split", "letters")] == ["a", "b"]
    if (clean == " ") != (found["whitespace"] and not found["clean_removes"]):
        raise SystemExit(f"U+{c:04X}: BertNormalizer's whitespace is not WhitespaceSplit's")
    found["punctuation"] = seen[("punctuation", "letters")] == ["a", char, "b"]
    found["numeric"] = seen[("digits-individual", "letters")] == ["a", char, "b"]
    found["combining_mark"] = seen[("strip-accents", "alone")] == ""
    # strip_accents decomposes first: only characters NFD leaves alone are ever tested for Mn.
    found["nonspacing_mark"] = seen[("nfd", "alone")] == char and seen[("bert-strip-accents", "alone")] == ""
    found["changes_case"] = seen[("lowercase", "alone")] != char
    words = seen[("whitespace", "letters")]
    found["word"] = words == ["a" + char + "b"]
    found["word_space"] = words == ["a", "b"]
    if not (found["word"] or found["word_space"] or words == ["a", char, "b"]):
        raise SystemExit(f"Whitespace pre-tokenizer: unexpected pieces {words!r} for U+{c:04X}")
    value = 0
    for name, bit in CLASS_BITS.items():
        if found[name]:
            value |= 1 << bit
    category = seen[("split-categories", "category-probe")][0]
    if len(category) < 2:
        raise SystemExit(f"U+{c:04X} is in none of Oniguruma's general categories")
    value |= (len(category) - 2) << CATEGORY_SHIFT
    value |= (len(seen[("split-classes", "class-probe")][0]) - 2) << REGEX_CLASS_SHIFT
    stars = {context: len(seen[("precompiled-marker", context)]) for context in GRAPHEME_CONTEXTS}
    grapheme, pictographic, incb = grapheme_properties(c, stars)
    return value | grapheme << GRAPHEME_SHIFT | int(pictographic) << PICTOGRAPHIC_BIT | incb << INCB_SHIFT


# ---------------------------------------------------------------------------------------------
# Deriving the tables from what the probes found.


def canonical_classes(ordering: list[int]) -> dict[int, int]:
    """Canonical combining classes, as the reference orders marks. The probes found which
    characters have a nonzero class; pairs of them, NFD-ordered by the reference, rank them, and
    the rank is named by the class number of a representative of each rank (class numbers never
    change once assigned, so Python's own table names them)."""
    nfd = normalizers.NFD()

    def before(a: int, b: int) -> bool:  # does the reference put b before a in "a b"?
        return nfd.normalize_str(chr(a) + chr(b)) == chr(b) + chr(a)

    representatives: dict[int, int] = {}
    for c in ordering:
        representatives.setdefault(unicodedata.combining(chr(c)), c)
    ranks = [(value, c) for value, c in sorted(representatives.items()) if value != 0]
    for (_, low), (_, high) in zip(ranks, ranks[1:]):
        if not before(high, low) or before(low, high):
            raise SystemExit(f"canonical classes of U+{low:04X} and U+{high:04X} are not ordered as expected")
    classes = {}
    for c in ordering:
        lo, hi = 0, len(ranks) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            value, r = ranks[mid]
            if c == r or (not before(c, r) and not before(r, c)):
                classes[c] = value
                break
            if before(r, c):  # c sorts before r: a smaller class
                hi = mid - 1
            else:
                lo = mid + 1
        else:
            raise SystemExit(f"U+{c:04X} has a canonical class no representative has")
    return classes


def compositions(maps: dict) -> dict[tuple[int, int], int]:
    """Primary composites: characters NFD changes and NFC leaves alone. Each composes from its
    decomposition's last character and what the reference composes the rest into."""
    nfc = normalizers.NFC()
    pairs = {}
    for c, decomposed in maps["nfd"].items():
        if 0xAC00 <= c <= 0xD7A3 or c in maps["nfc"]:
            continue
        first = nfc.normalize_str(decomposed[:-1])
        if len(first) != 1:
            raise SystemExit(f"U+{c:04X}: its decomposition's head composes to {first!r}")
        pair = (ord(first), ord(decomposed[-1]))
        if nfc.normalize_str(first + decomposed[-1]) != chr(c):
            raise SystemExit(f"U+{c:04X}: U+{pair[0]:04X} U+{pair[1]:04X} does not compose to it")
        pairs[pair] = c
    return pairs


def grapheme_properties(c: int, stars: dict) -> tuple[int, bool, int]:
    """Grapheme_Cluster_Break, Extended_Pictographic and Indic_Conjunct_Break of one character,
    read off the star counts of the marker probes. Hangul jamo and regional indicators keep
    their fixed ranges (they are checked by the after-l-jamo and regional-pair probes)."""
    char = chr(c)
    size = len(char.encode("utf-8"))

    def count(context: str, joined: list[list[str]], apart: list[list[str]]) -> bool | None:
        """True when the stars match cutting the probe into `joined` clusters, False for
        `apart`, None when both cut the same way (the probe cannot tell)."""
        def predict(clusters):
            total = 0
            for cluster in clusters:
                text = "".join(cluster)
                # Precompiled looks a short cluster up whole (the trie stops at a NUL byte).
                total += 1 if len(text.encode("utf-8")) < 6 and text[0] != "\0" else len(text)
            return total
        if predict(joined) == predict(apart):
            return None
        if stars[context] == predict(joined):
            return True
        if stars[context] == predict(apart):
            return False
        raise SystemExit(f"U+{c:04X}: {stars[context]} stars for {context} fits neither segmentation")

    if c in (0x0D, 0x0A):
        return GRAPHEME.index("CR" if c == 0x0D else "LF"), False, 0
    if c == 0x200D:
        return GRAPHEME.index("ZWJ"), False, INCB.index("Extend")
    hangul = hangul_property(c)
    if hangul:
        return GRAPHEME.index(hangul), False, 0
    if 0x1F1E6 <= c <= 0x1F1FF:
        return GRAPHEME.index("RegionalIndicator"), False, 0
    # A control breaks on both sides, even before marks (GB4, GB5).
    control = count("then-marks", [[char], [ACUTE, ACUTE]], [[char, ACUTE, ACUTE]])
    if control is None:
        raise SystemExit(f"U+{c:04X}: the grapheme probes cannot tell whether it is a control")
    if control:
        return GRAPHEME.index("Control"), False, 0
    prepend = count("then-letter", [[char, "a"]], [[char], ["a"]])
    extends = count("after-letter", [["a", char]], [["a"], [char]])
    pictographic = count("zwj-emoji", [[char, ZWJ, COPYRIGHT, ACUTE]], [[char, ZWJ], [COPYRIGHT, ACUTE]])
    if prepend is None or extends is None or pictographic is None:
        raise SystemExit(f"U+{c:04X}: the grapheme probes cannot tell its class")
    if prepend and extends:
        raise SystemExit(f"U+{c:04X}: joins both the character before and the one after")
    incb = 0
    if extends:
        # Extend or SpacingMark: only an Extend carries an emoji sequence on to its ZWJ (GB11).
        extend = count("emoji-zwj", [[COPYRIGHT, char, ZWJ, COPYRIGHT, ACUTE]], [[COPYRIGHT, char, ZWJ], [COPYRIGHT, ACUTE]])
        if extend is None:
            raise SystemExit(f"U+{c:04X}: cannot tell Extend from SpacingMark")
        value = "Extend" if extend else "SpacingMark"
        linker = count("between-consonants", [[KA, char, KA, ACUTE]], [[KA, char], [KA, ACUTE]])
        carries = count("virama-then-consonant", [[KA, VIRAMA, char, KA, ACUTE]], [[KA, VIRAMA, char], [KA, ACUTE]])
        if linker:
            incb = INCB.index("Linker")
        elif carries:
            incb = INCB.index("Extend")
    elif prepend:
        value = "Prepend"
    else:
        value = "Other"
        consonant = count("after-virama", [[KA, VIRAMA, char, ACUTE]], [[KA, VIRAMA], [char, ACUTE]])
        if consonant:
            incb = INCB.index("Consonant")
    return GRAPHEME.index(value), bool(pictographic), incb


def hangul_property(c: int) -> str:
    if 0xAC00 <= c <= 0xD7A3:
        return "LV" if (c - 0xAC00) % 28 == 0 else "LVT"
    if 0x1100 <= c <= 0x115F or 0xA960 <= c <= 0xA97C:
        return "L"
    if 0x1160 <= c <= 0x11A7 or 0xD7B0 <= c <= 0xD7C6:
        return "V"
    if 0x11A8 <= c <= 0x11FF or 0xD7CB <= c <= 0xD7FB:
        return "T"
    return ""


# The class table's bits (unicode_data.h spells the same layout out for C++).
CLASS_BITS = {
    "whitespace": 0, "clean_removes": 1, "punctuation": 2, "nonspacing_mark": 3, "combining_mark": 4,
    "numeric": 5, "word": 6, "word_space": 7, "changes_case": 8,
}
CATEGORY_SHIFT = 9
REGEX_CLASS_SHIFT = 14
GRAPHEME_SHIFT = 17
PICTOGRAPHIC_BIT = 21
INCB_SHIFT = 22
# The normalization table: ccc in the low byte, then flags.
NORM_CANONICAL, NORM_COMPAT, NORM_FIRST, NORM_SECOND = 8, 9, 10, 11


def derive_tables(classes: dict[int, int], maps: dict, ordering: list[int]) -> dict:
    combining = canonical_classes(ordering)
    pairs = compositions(maps)
    firsts = {a for a, _ in pairs}
    seconds = {b for _, b in pairs}
    norm = {}
    canonical, compat = {}, {}
    for c in scalar_values(0, MAX_CODE_POINT):
        value = combining.get(c, 0)
        decomposed = maps["nfd"].get(c, chr(c))
        if 0xAC00 <= c <= 0xD7A3:
            # Hangul syllables decompose and compose by arithmetic (the C++ does it the same way).
            if decomposed != hangul_decomposition(c):
                raise SystemExit(f"U+{c:04X}: the reference decomposes Hangul differently")
            value |= 1 << NORM_CANONICAL
            if (c - 0xAC00) % 28 == 0:
                value |= 1 << NORM_FIRST
        elif c in maps["nfd"]:
            canonical[c] = decomposed
            value |= 1 << NORM_CANONICAL
        if maps["nfkd"].get(c, chr(c)) != decomposed:
            compat[c] = maps["nfkd"].get(c, chr(c))
            value |= 1 << NORM_COMPAT
        if c in firsts or 0x1100 <= c <= 0x1112:
            value |= 1 << NORM_FIRST
        if c in seconds or 0x1161 <= c <= 0x1175 or 0x11A8 <= c <= 0x11C2:
            value |= 1 << NORM_SECOND
        if value:
            norm[c] = value
    return {"classes": classes, "norm": norm, "lower": maps["lowercase"], "canonical": canonical, "compat": compat,
            "pairs": pairs}


def hangul_decomposition(c: int) -> str:
    index = c - 0xAC00
    lead, vowel, trail = 0x1100 + index // 588, 0x1161 + index % 588 // 28, index % 28
    return chr(lead) + chr(vowel) + (chr(0x11A7 + trail) if trail else "")


# ---------------------------------------------------------------------------------------------
# Writing the C++ tables: two-stage lookups (a block index per 128 code points, shared blocks)
# and sorted mapping lists.


def two_stage(values: dict[int, int], shift: int = 7):
    size = 1 << shift
    blocks: dict[tuple, int] = {}
    index = []
    for start in range(0, MAX_CODE_POINT + 1, size):
        block = tuple(values.get(c, 0) for c in range(start, start + size))
        index.append(blocks.setdefault(block, len(blocks)))
    flat = [value for block in blocks for value in block]
    return index, flat


def c_array(kind: str, name: str, values: list[int]) -> str:
    """A C++ array definition, its values in decimal, wrapped at 110 columns."""
    lines, line = [], "   "
    for value in values:
        item = f" {value},"
        if len(line) + len(item) > 110:
            lines.append(line)
            line = "   "
        line += item
    lines.append(line)
    return f"const {kind} {name}[{len(values)}] = {{\n" + "\n".join(lines) + "\n};\n"


def mapping_table(name: str, mapping: dict[int, str]) -> str:
    """Sorted keys, and per key the offset and length of its code points in one pool."""
    keys, spans, pool = [], [], []
    for c in sorted(mapping):
        keys.append(c)
        spans.append(len(pool) << 8 | len(mapping[c]))
        pool.extend(ord(x) for x in mapping[c])
    return (c_array("uint32_t", f"k{name}Keys", keys) + c_array("uint32_t", f"k{name}Spans", spans)
            + c_array("char32_t", f"k{name}Pool", pool)
            + f"const Mapping k{name} = {{k{name}Keys, k{name}Spans, k{name}Pool, {len(keys)}}};\n")


HEADER = """// GENERATED by test/tools/unicode_tables.py from Python tokenizers {version}: do not edit.
// Regenerate with `npm run fixtures` (test/tools/fixtures.py build), which also checks it.
//
// What each component of Hugging Face tokenizers decides about each code point, probed from
// tokenizers itself (see the script): the crates it uses are frozen at different Unicode
// versions, so no one Unicode database reproduces it. tokenizer/unicode.h reads these.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::tok::unicode::data {{

// Per code point, two-stage: kClassBlocks[kClassIndex[c >> 7] * 128 + (c & 127)].
enum ClassBit : uint32_t {{
{bits}
}};
inline constexpr int kCategoryShift = {category_shift};        // Oniguruma's general category, 5 bits
inline constexpr int kRegexClassShift = {regex_shift};     // Oniguruma's \\s \\w \\d, 3 bits
inline constexpr int kGraphemeShift = {grapheme_shift};       // Grapheme_Cluster_Break, 4 bits
inline constexpr uint32_t kPictographic = 1u << {pictographic};  // Extended_Pictographic
inline constexpr int kIncbShift = {incb_shift};           // Indic_Conjunct_Break, 2 bits

// The general categories' order in the category field.
inline constexpr const char* kCategoryNames[] = {{{categories}}};
inline constexpr int kCategoryCount = {category_count};
enum class Grapheme : uint8_t {{ {grapheme} }};
enum class Incb : uint8_t {{ {incb} }};

// Normalization, two-stage like the classes: the canonical combining class in the low byte.
enum NormBit : uint16_t {{
  kHasCanonical = 1u << {canonical},  // decomposes under NFD (Hangul syllables by arithmetic, not kCanonical)
  kHasCompat = 1u << {compat},     // NFKD differs from NFD
  kComposesFirst = 1u << {first},  // starts a composition pair (Hangul's leading jamo and LV syllables too)
  kComposesSecond = 1u << {second}, // ends a composition pair (Hangul's vowel and trailing jamo too)
}};

// A code point -> code points mapping: sorted keys; span = pool offset << 8 | length.
struct Mapping {{
  const uint32_t* keys;
  const uint32_t* spans;
  const char32_t* pool;
  size_t size;
}};

extern const uint16_t kClassIndex[{index_size}];
extern const uint32_t kClassBlocks[{class_blocks}];
extern const uint16_t kNormIndex[{index_size}];
extern const uint16_t kNormBlocks[{norm_blocks}];
extern const Mapping kLowercase;  // Lowercase (Rust's char::to_lowercase), where it changes c
extern const Mapping kCanonical;  // NFD of c alone, fully decomposed and ordered
extern const Mapping kCompat;     // NFKD of c alone, where it differs from NFD

// Composition pairs sorted by (first << 21 | second); kCompositeOf[i] is the composite.
extern const uint64_t kCompositionKeys[{pairs}];
extern const char32_t kCompositeOf[{pairs}];

}}  // namespace sk::tok::unicode::data
"""


def write_native(tables: dict) -> None:
    import tokenizers

    NATIVE_OUT.mkdir(parents=True, exist_ok=True)
    class_index, class_blocks = two_stage(tables["classes"])
    norm_index, norm_blocks = two_stage(tables["norm"])
    pairs = sorted((a << 21 | b, p) for (a, b), p in tables["pairs"].items())
    bits = "\n".join(f"  k{''.join(w.capitalize() for w in name.split('_'))} = 1u << {bit},"
                     for name, bit in CLASS_BITS.items())
    header = HEADER.format(
        version=tokenizers.__version__, bits=bits, category_shift=CATEGORY_SHIFT, regex_shift=REGEX_CLASS_SHIFT,
        grapheme_shift=GRAPHEME_SHIFT, pictographic=PICTOGRAPHIC_BIT, incb_shift=INCB_SHIFT,
        categories=", ".join(f'"{c}"' for c in CATEGORIES), category_count=len(CATEGORIES),
        grapheme=", ".join(f"k{g}" for g in GRAPHEME), incb=", ".join(f"k{i}" for i in INCB),
        canonical=NORM_CANONICAL, compat=NORM_COMPAT, first=NORM_FIRST, second=NORM_SECOND,
        index_size=len(class_index), class_blocks=len(class_blocks), norm_blocks=len(norm_blocks), pairs=len(pairs))
    (NATIVE_OUT / "unicode_data.h").write_text(header, encoding="utf-8")
    source = [f"// GENERATED by test/tools/unicode_tables.py from Python tokenizers {tokenizers.__version__}: do not edit.\n"
              "#include \"tokenizer/unicode_data.h\"\n\nnamespace sk::tok::unicode::data {\n\n",
              c_array("uint16_t", "kClassIndex", class_index),
              c_array("uint32_t", "kClassBlocks", class_blocks),
              c_array("uint16_t", "kNormIndex", norm_index),
              c_array("uint16_t", "kNormBlocks", norm_blocks),
              mapping_table("Lowercase", tables["lower"]),
              mapping_table("Canonical", tables["canonical"]),
              mapping_table("Compat", tables["compat"]),
              c_array("uint64_t", "kCompositionKeys", [k for k, _ in pairs]),
              c_array("char32_t", "kCompositeOf", [p for _, p in pairs]),
              "\n}  // namespace sk::tok::unicode::data\n"]
    (NATIVE_OUT / "unicode_data.cc").write_text("".join(source), encoding="utf-8")
    print(f"unicode_data: {len(class_blocks) // 128} class blocks, {len(norm_blocks) // 128} normalization blocks, "
          f"{len(tables['lower'])} lowercase, {len(tables['canonical'])} canonical, {len(tables['compat'])} compatibility "
          f"mappings, {len(pairs)} composition pairs")


def write_expected(crcs: dict) -> None:
    """components.json says which CRCs expected.bin holds, in order."""
    OUT.mkdir(parents=True, exist_ok=True)
    blob = bytearray()
    components = []
    for name, kind, factory, contexts in COMPONENTS:
        entry = {"name": name, "kind": kind, "contexts": contexts, "offset": len(blob)}
        if name in CONFIG_FROM:
            entry["config_from"] = CONFIG_FROM[name]
        else:
            entry["config"] = json.loads(factory().__getstate__())
        for context in contexts:
            blob += struct.pack(f"<{BLOCKS}I", *crcs[(name, context)])
        components.append(entry)
    document = {
        "about": "Written by test/tools/unicode_tables.py: the CRC-32 (zlib's) of each component's outputs for each "
                 "block of code points, in expected.bin from offset on, one block after another, for each context "
                 "in turn; a code point's output is its text (normalizers) or each piece closed by 0xFE "
                 "(pre-tokenizers), closed by 0xFF. Surrogates are skipped.",
        "block_bits": BLOCK_BITS, "blocks": BLOCKS,
        "contexts": {name: list(CONTEXTS[name]) for name in sorted({c for *_, cs in COMPONENTS for c in cs})},
        "components": components,
    }
    (OUT / "components.json").write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (OUT / "expected.bin").write_bytes(bytes(blob))


def show(name: str, context: str, first: int, last: int) -> None:
    (kind, run), = [(kind, factory().normalize_str if kind == "normalizer" else factory().pre_tokenize_str)
                    for n, kind, factory, _ in COMPONENTS if n == name]
    before, after = CONTEXTS[context]
    for c in scalar_values(first, last):
        output = run(before + chr(c) + after)
        print(f"U+{c:04X} {serialize(kind, output).hex()}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "show":
        name, context, first = sys.argv[2], sys.argv[3], int(sys.argv[4], 16)
        show(name, context, first, int(sys.argv[5], 16) if len(sys.argv) > 5 else first)
        return
    crcs: dict = {}
    classes: dict[int, int] = {}
    maps: dict[str, dict[int, str]] = {}
    ordering: list[int] = []
    with Pool(os.cpu_count() or 1) as pool:
        for part in pool.imap_unordered(probe_range, range(0, MAX_CODE_POINT + 1, CHUNK)):
            classes.update(part["classes"])
            for form, found in part["maps"].items():
                maps.setdefault(form, {}).update(found)
            ordering.extend(part["ordering"])
            base = part["first"] >> BLOCK_BITS
            for key, values in part["crcs"].items():
                crcs.setdefault(key, [0] * BLOCKS)[base:base + len(values)] = values
    print(f"probed {len(classes)} code points through {len(COMPONENTS)} components")
    write_native(derive_tables(classes, maps, sorted(ordering)))
    write_expected(crcs)


if __name__ == "__main__":
    main()
