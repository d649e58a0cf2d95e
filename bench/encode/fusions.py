"""What ONNX Runtime's graph optimizer fuses on the exported all-MiniLM-L6-v2 shape, and whether
onnxruntime.transformers.optimizer (model_type='bert') gives a faster graph on this CPU.

    npm run bench:models && test/tools/.venv/bin/python bench/encode/fusions.py

For each of onnx/model.onnx and onnx/model_qint8_avx512_vnni.onnx: the fused-operator counts
after ORT_ENABLE_ALL (the optimized model saved with optimized_model_filepath); then the
transformers optimizer's fp32 graph (exact GELU, no approximation) and its int8 quantization
(the same Optimum avx512_vnni settings, applied after fusion), their max |diff| against the
unfused graph on a padded batch, and ORT run times (2 intra-op threads, interleaved, best of 7).
Writes nothing under the repository: the variants go to a temporary folder.
"""
from __future__ import annotations

import collections
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "tools"))
from onnx_export import padded_check_batch  # noqa: E402

MODEL = ROOT / "bench" / "models" / "minilm-l6" / "onnx"
FUSED = ["Attention", "MultiHeadAttention", "EmbedLayerNormalization", "SkipLayerNormalization", "LayerNormalization",
         "BiasGelu", "FastGelu", "Gelu", "FusedMatMul", "MatMul", "MatMulInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat"]


def op_counts(path: Path) -> dict[str, int]:
    counts = collections.Counter(node.op_type for node in onnx.load(str(path), load_external_data=False).graph.node)
    return {op: counts[op] for op in FUSED if counts[op]} | {"nodes": sum(counts.values())}


def ort_all(path: Path, out: Path) -> dict[str, int]:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.optimized_model_filepath = str(out)
    ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return op_counts(out)


def transformers_fused(path: Path, out: Path) -> dict[str, int]:
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    options.enable_gelu_approximation = False  # FastGelu's tanh approximation would break parity
    model = optimizer.optimize_model(str(path), model_type="bert", num_heads=12, hidden_size=384,
                                     optimization_options=options, opt_level=0, use_gpu=False)
    model.save_model_to_file(str(out))
    return {k: v for k, v in model.get_fused_operator_statistics().items() if v}


def quantize_after_fusion(fp32: Path, out: Path) -> None:
    """onnx_export.quantize_avx512_vnni's settings; contrib ops need DefaultTensorType for shape inference."""
    from onnxruntime.quantization import QuantizationMode, QuantType
    from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    quantizer = ONNXQuantizer(
        model=onnx.load(str(fp32)), per_channel=True, reduce_range=False, mode=QuantizationMode.IntegerOps, static=False,
        weight_qType=QuantType.QInt8, activation_qType=QuantType.QUInt8, tensors_range=None, nodes_to_quantize=[],
        nodes_to_exclude=[], op_types_to_quantize=list(IntegerOpsRegistry.keys()),
        extra_options={"WeightSymmetric": True, "ActivationSymmetric": False, "EnableSubgraph": False, "ForceSymmetric": False,
                       "AddQDQPairToWeight": False, "DedicatedQDQPair": False, "QDQOpTypePerChannelSupportToAxis": {"MatMul": 1},
                       "DefaultTensorType": onnx.TensorProto.FLOAT})
    quantizer.quantize_model()
    quantizer.model.save_model_to_file(str(out))


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def feeds(batch: int, seq: int) -> dict[str, np.ndarray]:
    ids = np.random.default_rng(0).integers(1000, 30000, (batch, seq)).astype(np.int64)
    ids[:, 0] = 101
    return {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}


def main() -> None:
    print(f"onnxruntime {ort.__version__}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        for name in ["model.onnx", "model_qint8_avx512_vnni.onnx"]:
            print(f"{name}: exported {op_counts(MODEL / name)}")
            print(f"  after ORT_ENABLE_ALL: {ort_all(MODEL / name, tmp / ('ort_all_' + name))}")
        fused = tmp / "model_bert_fused.onnx"
        print(f"transformers optimizer (bert, exact GELU) fused: {transformers_fused(MODEL / 'model.onnx', fused)}")
        fused_int8 = tmp / "model_bert_fused_qint8.onnx"
        quantize_after_fusion(fused, fused_int8)

        variants = {"fp32 exported": MODEL / "model.onnx", "fp32 bert-fused": fused,
                    "int8 exported": MODEL / "model_qint8_avx512_vnni.onnx", "int8 fused-then-quantized": fused_int8}
        sessions = {label: session(path) for label, path in variants.items()}
        check = padded_check_batch()
        base = {"fp32": sessions["fp32 exported"].run(None, check)[0], "int8": sessions["int8 exported"].run(None, check)[0]}
        for label, s in sessions.items():
            diff = float(np.abs(s.run(None, check)[0] - base[label[:4]]).max())
            print(f"  {label}: last_hidden_state max |diff| vs the exported {label[:4]} graph {diff:.2e}")
        for batch, seq, runs in [(1, 12, 200), (32, 64, 4)]:
            inputs = feeds(batch, seq)
            best = {label: float("inf") for label in sessions}
            for _ in range(7):
                for label, s in sessions.items():
                    start = time.perf_counter()
                    for _ in range(runs):
                        s.run(None, inputs)
                    best[label] = min(best[label], (time.perf_counter() - start) / runs)
            print(f"  [{batch} x {seq}] ms per run: " + ", ".join(f"{label} {t * 1e3:.2f}" for label, t in best.items()))
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
