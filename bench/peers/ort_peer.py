"""bench/peers: a Python ONNX Runtime + `tokenizers` pipeline, what fastembed does, made a strong
peer: the model's own tokenizer.json (Rust, parallel encode_batch), batches sorted by token
length and padded only to their longest member, intra-op threads set to the cores, mean pooling
and normalization in numpy. Same ONNX files as sentencekit. Prints one JSON line."""
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime
import tokenizers

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from peer_timing import concurrent, emit, latency, load_texts, peer_arguments, throughput, write_embeddings  # noqa: E402


class OrtPipeline:
    def __init__(self, folder: Path, onnx_file: str, threads: int) -> None:
        max_length = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(str(folder / onnx_file), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}

    def _run(self, encodings) -> np.ndarray:
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n] = e.ids
            mask[row, :n] = 1
            types[row, :n] = e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.input_names})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
        out = None
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            rows = self._run([encodings[i] for i in chunk])
            if out is None:
                out = np.empty((len(texts), rows.shape[1]), dtype=np.float32)
            out[chunk] = rows
        return out

    def encode_one(self, text: str) -> np.ndarray:
        return self._run([self.tokenizer.encode(text)])[0]


def main() -> None:
    parser = peer_arguments(__doc__)
    parser.add_argument("--onnx", required=True, help="ONNX file inside the model folder")
    args = parser.parse_args()
    texts, queries = load_texts(args.texts), load_texts(args.queries)
    pipeline = OrtPipeline(Path(args.model), args.onnx, args.threads)

    pipeline.encode(texts[:64], args.batch_size)  # warm-up
    timing, embeddings = throughput(lambda batch: pipeline.encode(batch, args.batch_size), texts)
    write_embeddings(args.embeddings_out, embeddings)
    emit({
        "peer": "Python ONNX Runtime + tokenizers",
        "versions": {"onnxruntime": onnxruntime.__version__, "tokenizers": tokenizers.__version__},
        "threads": args.threads,
        "throughput": timing,
        "latency": latency(pipeline.encode_one, queries, args.latency_calls, args.warmup),
        # One session shared by a thread per caller; session.run releases the GIL.
        "concurrent": concurrent(pipeline.encode_one, texts, args.callers, args.requests),
    })


if __name__ == "__main__":
    main()
