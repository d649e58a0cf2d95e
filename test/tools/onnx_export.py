"""ONNX export of a BertModel the way Hub models ship it (onnx/model.onnx) and its int8 variant."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime
import torch
from transformers import BertModel

INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]
MAX_ABS_DIFF = 1e-5


class LastHiddenState(torch.nn.Module):
    """The encoder with the three inputs an exported Hugging Face model takes, positionally."""

    def __init__(self, model: BertModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state


def padded_check_batch() -> dict[str, np.ndarray]:
    """Three rows of different real lengths, right-padded like sentence-transformers pads."""
    ids = torch.randint(1000, 30000, (3, 19), generator=torch.Generator().manual_seed(3))
    mask = torch.ones_like(ids)
    mask[1, 11:] = 0
    mask[2, 4:] = 0
    ids[mask == 0] = 0
    ids[:, 0] = 101
    types = torch.zeros_like(ids)
    types[0, 12:] = 1  # a pair row, so token_type_ids reach the graph
    return {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}


def torch_last_hidden_state(model: BertModel, feeds: dict[str, np.ndarray]) -> np.ndarray:
    with torch.no_grad():
        tensors = {name: torch.from_numpy(value) for name, value in feeds.items()}
        return model(**tensors).last_hidden_state.numpy()


def export_onnx(model: BertModel, out_file: Path) -> float:
    """torch.onnx.export (TorchScript exporter, opset 17), dynamic batch and sequence axes.
    Fails unless onnxruntime reproduces torch on a padded batch; returns the max |diff|."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    feeds = padded_check_batch()
    # Taken before exporting: tracing may leave the module changed.
    expected = torch_last_hidden_state(model, feeds)
    example = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2023, 2003, 1037, 102]], dtype=torch.int64)
    example_inputs = (example, (example != 0).to(torch.int64), torch.zeros_like(example))
    dynamic = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        LastHiddenState(model),
        example_inputs,
        str(out_file),
        input_names=INPUT_NAMES,
        output_names=["last_hidden_state"],
        dynamic_axes={**{name: dynamic for name in INPUT_NAMES}, "last_hidden_state": dynamic},
        opset_version=17,
        do_constant_folding=True,
        dynamo=False,
    )
    got = run_onnx(out_file, feeds)
    diff = float(np.abs(got - expected).max())
    if not diff < MAX_ABS_DIFF:
        raise SystemExit(f"{out_file}: ONNX differs from torch by {diff} (limit {MAX_ABS_DIFF})")
    return diff


def run_onnx(onnx_file: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    return session.run(["last_hidden_state"], feeds)[0]


def quantize_avx512_vnni(fp32: Path, out: Path) -> None:
    """int8 dynamic quantization exactly as Hugging Face Optimum makes the Hub's
    onnx/model_qint8_avx512_vnni.onnx (sentence-transformers' export_dynamic_quantized_onnx_model
    calls `ORTQuantizer.quantize(AutoQuantizationConfig.avx512_vnni(is_static=False,
    per_channel=True))`, which builds ONNXQuantizer itself). The settings that implies:
      - QOperator format, IntegerOps mode (MatMulInteger + DynamicQuantizeLinear);
      - weights QInt8, symmetric, per output channel; activations QUInt8, asymmetric, with scale
        and zero point computed at run time;
      - reduce_range=False: VNNI's VPDPBUSD accumulates u8×s8 in int32 without the 16-bit
        saturation of plain AVX-512's VPMADDUBSW, so the full 8 bits are safe;
      - operators: every op ORT can quantize dynamically (Optimum's default, the IntegerOps
        registry: MatMul, Gather, Attention, ...), so the word embeddings (Gather) go to int8 too;
      - MatMulConstBOnly unset, so attention's activation×activation MatMuls are quantized as well.
    quantize_dynamic() would default MatMulConstBOnly to True, hence ONNXQuantizer directly."""
    import onnx
    from onnxruntime.quantization import QuantizationMode, QuantType
    from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    quantizer = ONNXQuantizer(
        model=onnx.load(str(fp32)),
        per_channel=True,
        reduce_range=False,
        mode=QuantizationMode.IntegerOps,
        static=False,
        weight_qType=QuantType.QInt8,
        activation_qType=QuantType.QUInt8,
        tensors_range=None,
        nodes_to_quantize=[],
        nodes_to_exclude=[],
        op_types_to_quantize=list(IntegerOpsRegistry.keys()),
        extra_options={
            "WeightSymmetric": True,
            "ActivationSymmetric": False,
            "EnableSubgraph": False,
            "ForceSymmetric": False,
            "AddQDQPairToWeight": False,
            "DedicatedQDQPair": False,
            "QDQOpTypePerChannelSupportToAxis": {"MatMul": 1},
        },
    )
    quantizer.quantize_model()
    quantizer.model.save_model_to_file(str(out))
