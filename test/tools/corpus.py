"""The fixture corpus: short texts that exercise every corner of tokenization and pooling."""
from __future__ import annotations

LONG_ENGLISH = (
    "Sentence embeddings map text to vectors so that texts with similar meaning lie close together, "
    "which makes semantic search, clustering and deduplication a matter of comparing numbers. "
)


def fixture_corpus() -> list[str]:
    texts = [
        # plain English, varied length and case
        "The cat sits outside.",
        "A man is playing guitar.",
        "THE NEW MOVIE IS AWESOME!",
        "How do I install a package with npm?",
        "hello",
        "Hello, World",
        "Node.js backends need fast embeddings.",
        # accents and diacritics (stripped by the uncased BERT normalizer)
        "Café naïve façade résumé coöperate Ångström",
        "Él está en el pingüino de Mañana",
        "Zürich, Kraków, São Paulo, Reykjavík",
        # CJK, kana, Hangul
        "我爱北京天安门",
        "日本語のテキストとカタカナ、ひらがな",
        "한국어 문장도 토큰화됩니다",
        "Mixed 中文 and English 文字 together",
        # emoji, ZWJ sequences, flags, skin tones
        "I love pizza 🍕🍕🍕",
        "Family: 👨\u200d👩\u200d👧\u200d👦 and flags 🇫🇷🇯🇵",
        "👍🏽 thumbs up with skin tone",
        # punctuation runs and symbols
        "!!!???...",
        "--==-- ### *** @@@ $$$ %%% ^^^",
        "Wait... what?! (really) [yes] {no} <maybe>",
        "C'est l'été; it's John's book — isn't it?",
        # whitespace only and the empty string
        "",
        "   ",
        "\t\n",
        " leading and trailing spaces   ",
        "tabs\tand\nnewlines\r\nmixed",
        # control and format characters
        "zero\u200bwidth space and soft\u00adhyphen",
        "control\u0007char and \u0000 null",
        "right-to-left \u200fmark and \ufeff BOM",
        # special-token look-alikes
        "[CLS] hello [SEP]",
        "[MASK] is a special token",
        "[PAD] [UNK] not really",
        # numbers, URLs, code
        "Call 555-0199 or +1 (800) 123-4567 by 12/31/2026",
        "3.14159 2.71828 1e-9 0x1F 1,000,000",
        "Visit https://example.com/path?query=1&x=y#frag now",
        "email me at someone@example.org",
        "def f(x): return x ** 2  # square",
        "const answer = await fetch(`/api/${id}`).then(r => r.json());",
        "SELECT * FROM users WHERE id = 42;",
        # very long words (WordPiece gives [UNK] above 100 characters)
        "a" * 101,
        "supercalifragilisticexpialidocious " * 3,
        "Pneumonoultramicroscopicsilicovolcanoconiosis is a word",
        "x" * 99 + " " + "y" * 100,
        # other scripts
        "Привет, как дела?",
        "Γειά σου Κόσμε",
        "مرحبا بالعالم",
        "שלום עולם",
        "नमस्ते दुनिया",
        "สวัสดีชาวโลก",
        # combining marks
        "e\u0301 a\u0300 o\u0308 n\u0303 combining",
        # texts longer than max_seq_length (128 tokens)
        LONG_ENGLISH * 4,
        ("word " * 300).strip(),
        " ".join(f"token{i}" for i in range(200)),
        # repeated and near-duplicate sentences
        "The cat sits outside.",
        "The cat sat outside.",
        "A dog runs in the park.",
        "Dogs run in parks.",
        "semantic search with node",
        "Semantic Search With Node",
    ]
    return texts


def fixture_pairs(texts: list[str]) -> list[tuple[str, str]]:
    """(query, passage) pairs for cross-encoder tokenization, some longer than 128 tokens."""
    long_text = LONG_ENGLISH * 4
    return [
        ("What is the capital of France?", "Paris is the capital and most populous city of France."),
        ("How many people live in Berlin?", "Berlin has a population of about 3.7 million."),
        ("cat", "The cat sits outside."),
        ("", "an empty query"),
        ("an empty passage", ""),
        ("", ""),
        ("long passage", long_text),
        (long_text, "long query"),
        (long_text, long_text),
        ("[CLS] in a pair", "[SEP] in the second text"),
        ("Café naïve", "résumé façade"),
        ("我爱北京", "天安门"),
        ("emoji 🍕", "👨\u200d👩\u200d👧"),
        (texts[0], texts[1]),
        ("word " * 100, "word " * 40),
    ]
