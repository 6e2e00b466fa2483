#!/usr/bin/python3
"""Build a CodeBERT-shaped benchmark model with seeded random weights.

Real CodeBERT weights cannot be downloaded here, but how fast an encoder runs
does not depend on its weight values.  This script writes a model folder that
transformers.js (@xenova/transformers 2.17.2, onnxruntime-node 1.14) loads
with `--model <dir>` exactly as it loads onnx-community/codebert-base-ONNX:

    <out>/config.json, tokenizer.json, tokenizer_config.json, vocab.json,
          merges.txt, special_tokens_map.json     copied from the real CodeBERT
                                                  tokenizer (../shared/models/
                                                  codebert-base-tokenizer/)
    <out>/onnx/model.onnx                         fp32, ~500 MB
    <out>/onnx/model_quantized.onnx               dynamic int8, ~125 MB
    <out>/quantize_config.json, README.md         what was built

The graph is the RoBERTa encoder (microsoft/codebert-base's shape: 12 layers,
hidden 768, 12 heads, FFN 3072, vocab 50265, 514 positions, GELU,
post-LayerNorm, eps 1e-5) written with the standard ONNX ops of opset 14, the
way torch.onnx / Optimum export RobertaModel for feature extraction:

* inputs input_ids, attention_mask (int64 [batch, sequence]); output
  last_hidden_state (float32 [batch, sequence, 768]);
* embeddings: word + position + token-type(0), then LayerNorm.  Position ids
  are RoBERTa's: m = (input_ids != 1); cumsum(m) * m + 1 (padding_idx 1);
* additive attention mask (1 - attention_mask) * float32-min, [batch,1,1,seq];
* 12 x [Q, K, V = MatMul + Add; scores = Q K^T / 8 + mask; Softmax; x V;
  output MatMul + Add + residual, LayerNorm; MatMul 768->3072 + Add, GELU
  (erf form), MatMul 3072->768 + Add + residual, LayerNorm].
  LayerNorm is decomposed (ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add), as opset-14
  exports are; onnxruntime fuses it back.

Weights are N(0, 0.02) from numpy.random.default_rng(SEED) (HF's
initializer_range), biases 0, LayerNorm gamma 1 / beta 0, padding rows of the
word and position tables 0.  The output is byte-for-byte the same on every run
with the same numpy.

model_quantized.onnx is model.onnx rewritten the way
onnxruntime.quantization.quantize_dynamic rewrites it (weight_type QInt8,
MatMulConstBOnly) with the settings transformers.js' scripts/convert.py uses
for roberta (per_channel=True, reduce_range=True); Debian has no onnxruntime
Python package, so the rewrite is implemented here:

* every MatMul whose B is a float initializer [K, N]:
      DynamicQuantizeLinear(A) -> A_quantized (uint8), A_scale, A_zero_point
        (one per activation tensor: Q, K and V share theirs)
      MatMulInteger(A_quantized, B_quantized, A_zero_point, B_zero_point) -> int32
      Cast(to float) ; Mul(A_scale, B_scale) ; Mul(cast, scales)
  B is int8, symmetric (zero point 0), per output column (scale and zero
  point of shape [N]) with the reduced range [-64, 64] (scale = absmax / 64);
  --per-tensor gives one scale per matrix and the full range [-127, 127]
  (scale = absmax / 127).
* every Gather whose data is a float initializer (word, position, token-type
  embedding tables), as ORT's GatherQuant does: the table is stored uint8,
  per-tensor, symmetric (zero point 128, scale = 2 * absmax / 255), and
  Gather -> DequantizeLinear gives float32 rows.  --fp32-embeddings keeps the
  tables float32 (the int8 file is then ~240 MB instead of ~125 MB).
The activation MatMuls of attention (Q K^T, probs V) stay float32.

Usage:
    /usr/bin/python3 scripts/bench/build-codebert-model.py [OUT_DIR]
        [--per-tensor] [--fp32-embeddings] [--tokenizer-dir DIR]
OUT_DIR defaults to bench-models/codebert-shaped in the repository (git-ignored;
never commit the output).  Needs Debian's python3-onnx and python3-numpy
(`apt-get install -y python3-onnx python3-numpy`).
"""

import argparse
import json
import os
import shutil
import sys
import time

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as err:  # pragma: no cover - environment check
    sys.exit("build-codebert-model.py: %s\nRun it with /usr/bin/python3 after "
             "`apt-get install -y python3-onnx python3-numpy`." % err)

SEED = 20240612
INIT_STD = 0.02
VOCAB_SIZE = 50265
MAX_POSITIONS = 514
TYPE_VOCAB_SIZE = 1
HIDDEN = 768
LAYERS = 12
HEADS = 12
HEAD_DIM = HIDDEN // HEADS
FFN = 3072
PAD_ID = 1
LAYER_NORM_EPS = 1e-5
OPSET = 14
IR_VERSION = 8  # accepted by onnxruntime 1.14 (transformers.js 2.17.2)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "bench-models", "codebert-shaped")
DEFAULT_TOKENIZER_DIR = os.path.join(REPO_ROOT, "..", "shared", "models", "codebert-base-tokenizer")
TOKENIZER_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "vocab.json",
                   "merges.txt", "special_tokens_map.json"]


# --------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------

def make_weights():
    """Ordered dict name -> float32 array, in the order they are drawn."""
    rng = np.random.default_rng(SEED)

    def normal(*shape):
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(INIT_STD)

    w = {}
    w["embeddings.word_embeddings.weight"] = normal(VOCAB_SIZE, HIDDEN)
    w["embeddings.position_embeddings.weight"] = normal(MAX_POSITIONS, HIDDEN)
    w["embeddings.token_type_embeddings.weight"] = normal(TYPE_VOCAB_SIZE, HIDDEN)
    w["embeddings.word_embeddings.weight"][PAD_ID] = 0  # nn.Embedding(padding_idx=1)
    w["embeddings.position_embeddings.weight"][PAD_ID] = 0
    w["embeddings.LayerNorm.weight"] = np.ones(HIDDEN, np.float32)
    w["embeddings.LayerNorm.bias"] = np.zeros(HIDDEN, np.float32)
    for i in range(LAYERS):
        p = "encoder.layer.%d." % i
        # MatMul weights are stored [in, out], as torch.onnx exports nn.Linear.
        for name, (n_in, n_out) in (("attention.self.query", (HIDDEN, HIDDEN)),
                                    ("attention.self.key", (HIDDEN, HIDDEN)),
                                    ("attention.self.value", (HIDDEN, HIDDEN)),
                                    ("attention.output.dense", (HIDDEN, HIDDEN)),
                                    ("intermediate.dense", (HIDDEN, FFN)),
                                    ("output.dense", (FFN, HIDDEN))):
            w[p + name + ".weight"] = normal(n_in, n_out)
            w[p + name + ".bias"] = np.zeros(n_out, np.float32)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + ln + ".weight"] = np.ones(HIDDEN, np.float32)
            w[p + ln + ".bias"] = np.zeros(HIDDEN, np.float32)
    return w


# --------------------------------------------------------------------------
# fp32 graph
# --------------------------------------------------------------------------

class GraphBuilder:
    def __init__(self, weights):
        self.nodes = []
        self.inits = dict(weights)  # name -> numpy array, insertion-ordered

    def const(self, name, value, dtype):
        if name not in self.inits:
            self.inits[name] = np.array(value, dtype=dtype)
        return name

    def op(self, op_type, inputs, name, output=None, **attrs):
        output = output or name + "_output_0"
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=name, **attrs))
        return output


def linear(g, x, prefix, out=None):
    mm = g.op("MatMul", [x, prefix + ".weight"], "/" + prefix.replace(".", "/") + "/MatMul")
    return g.op("Add", [prefix + ".bias", mm], "/" + prefix.replace(".", "/") + "/Add", out)


def layer_norm(g, x, prefix, out=None):
    n = "/" + prefix.replace(".", "/")
    mean = g.op("ReduceMean", [x], n + "/ReduceMean", axes=[-1], keepdims=1)
    diff = g.op("Sub", [x, mean], n + "/Sub")
    sq = g.op("Pow", [diff, g.const("const_two", 2.0, np.float32)], n + "/Pow")
    var = g.op("ReduceMean", [sq], n + "/ReduceMean_1", axes=[-1], keepdims=1)
    var_eps = g.op("Add", [var, g.const("const_layer_norm_eps", LAYER_NORM_EPS, np.float32)],
                   n + "/Add")
    std = g.op("Sqrt", [var_eps], n + "/Sqrt")
    normed = g.op("Div", [diff, std], n + "/Div")
    scaled = g.op("Mul", [normed, prefix + ".weight"], n + "/Mul")
    return g.op("Add", [scaled, prefix + ".bias"], n + "/Add_1", out)


def embeddings(g):
    n = "/embeddings"
    # RoBERTa position ids: cumsum(input_ids != pad) * (input_ids != pad) + pad
    is_pad = g.op("Equal", ["input_ids", g.const("const_pad_id", PAD_ID, np.int64)], n + "/Equal")
    not_pad = g.op("Not", [is_pad], n + "/Not")
    mask = g.op("Cast", [not_pad], n + "/Cast", to=TensorProto.INT32)
    cum = g.op("CumSum", [mask, g.const("const_one_i64", 1, np.int64)], n + "/CumSum")
    incremental = g.op("Mul", [cum, mask], n + "/Mul")
    incremental64 = g.op("Cast", [incremental], n + "/Cast_1", to=TensorProto.INT64)
    position_ids = g.op("Add", [incremental64, "const_pad_id"], n + "/Add")
    # token_type_ids: all zeros (RoBERTa has a single token type)
    ids_shape = g.op("Shape", ["input_ids"], n + "/Shape")
    token_type_ids = g.op("ConstantOfShape", [ids_shape], n + "/ConstantOfShape",
                          value=helper.make_tensor("value", TensorProto.INT64, [1], [0]))

    words = g.op("Gather", ["embeddings.word_embeddings.weight", "input_ids"],
                 n + "/word_embeddings/Gather")
    types = g.op("Gather", ["embeddings.token_type_embeddings.weight", token_type_ids],
                 n + "/token_type_embeddings/Gather")
    summed = g.op("Add", [words, types], n + "/Add_1")
    positions = g.op("Gather", ["embeddings.position_embeddings.weight", position_ids],
                     n + "/position_embeddings/Gather")
    summed = g.op("Add", [summed, positions], n + "/Add_2")
    return layer_norm(g, summed, "embeddings.LayerNorm")


def extended_attention_mask(g):
    n = "/extended_mask"
    unsq = g.op("Unsqueeze", ["attention_mask", g.const("const_axes_1_2", [1, 2], np.int64)],
                n + "/Unsqueeze")
    maskf = g.op("Cast", [unsq], n + "/Cast", to=TensorProto.FLOAT)
    inverted = g.op("Sub", [g.const("const_one_f32", 1.0, np.float32), maskf], n + "/Sub")
    return g.op("Mul", [inverted, g.const("const_float_min", np.finfo(np.float32).min, np.float32)],
                n + "/Mul")


def encoder_layer(g, x, mask, i, out=None):
    p = "encoder.layer.%d." % i
    n = "/encoder/layer.%d/attention/self" % i
    heads_shape = g.const("const_heads_shape", [0, 0, HEADS, HEAD_DIM], np.int64)
    hidden_shape = g.const("const_hidden_shape", [0, 0, HIDDEN], np.int64)

    def split_heads(t, name, perm):
        r = g.op("Reshape", [t, heads_shape], n + "/Reshape" + name)
        return g.op("Transpose", [r], n + "/Transpose" + name, perm=perm)

    q = split_heads(linear(g, x, p + "attention.self.query"), "", [0, 2, 1, 3])
    k = split_heads(linear(g, x, p + "attention.self.key"), "_1", [0, 2, 3, 1])  # K^T
    v = split_heads(linear(g, x, p + "attention.self.value"), "_2", [0, 2, 1, 3])
    scores = g.op("MatMul", [q, k], n + "/MatMul")
    scores = g.op("Div", [scores, g.const("const_sqrt_head_dim", np.sqrt(HEAD_DIM), np.float32)],
                  n + "/Div")
    scores = g.op("Add", [scores, mask], n + "/Add")
    probs = g.op("Softmax", [scores], n + "/Softmax", axis=-1)
    ctx = g.op("MatMul", [probs, v], n + "/MatMul_1")
    ctx = g.op("Transpose", [ctx], n + "/Transpose_3", perm=[0, 2, 1, 3])
    ctx = g.op("Reshape", [ctx, hidden_shape], n + "/Reshape_3")

    attn = linear(g, ctx, p + "attention.output.dense")
    attn = g.op("Add", [attn, x], "/encoder/layer.%d/attention/output/Add_residual" % i)
    attn = layer_norm(g, attn, p + "attention.output.LayerNorm")

    h = linear(g, attn, p + "intermediate.dense")
    m = "/encoder/layer.%d/intermediate/intermediate_act_fn" % i  # GELU, erf form
    d = g.op("Div", [h, g.const("const_sqrt_two", np.sqrt(2.0), np.float32)], m + "/Div")
    e = g.op("Erf", [d], m + "/Erf")
    e1 = g.op("Add", [e, "const_one_f32"], m + "/Add")
    hm = g.op("Mul", [h, e1], m + "/Mul")
    gelu = g.op("Mul", [hm, g.const("const_half", 0.5, np.float32)], m + "/Mul_1")

    y = linear(g, gelu, p + "output.dense")
    y = g.op("Add", [y, attn], "/encoder/layer.%d/output/Add_residual" % i)
    return layer_norm(g, y, p + "output.LayerNorm", out)


def build_fp32(weights):
    """(nodes, initializers) of the fp32 encoder."""
    g = GraphBuilder(weights)
    x = embeddings(g)
    mask = extended_attention_mask(g)
    for i in range(LAYERS):
        x = encoder_layer(g, x, mask, i, "last_hidden_state" if i == LAYERS - 1 else None)
    return g.nodes, g.inits


# --------------------------------------------------------------------------
# Dynamic int8 quantisation (what onnxruntime's quantize_dynamic writes)
# --------------------------------------------------------------------------

def quantize_weight_int8(w, per_channel, reduce_range):
    """Symmetric int8 weight [K, N]: w ~ q * scale, zero point 0."""
    qmin, qmax = (-64, 64) if reduce_range else (-127, 127)
    absmax = np.abs(w).max(axis=0) if per_channel else np.abs(w).max()
    scale = (2.0 * absmax.astype(np.float64) / (qmax - qmin)).astype(np.float32)
    scale = np.where(scale == 0, np.float32(1.0), scale).astype(np.float32)
    q = np.clip(np.round(w / scale), qmin, qmax).astype(np.int8)
    return q, scale, np.zeros(scale.shape, np.int8)


def quantize_table_uint8(t):
    """Symmetric per-tensor uint8 (ORT's GatherQuant with QInt8 weights): zero point 128."""
    absmax = float(np.abs(t).max()) or 1.0
    scale = np.float32(2.0 * absmax / 255.0)
    q = np.clip(np.round(t / scale) + 128, 0, 255).astype(np.uint8)
    return q, np.array(scale, np.float32), np.array(128, np.uint8)


def quantize_dynamic_like(nodes, inits, per_channel, reduce_range, quantize_gathers):
    def is_float_init(name, ndim=None):
        a = inits.get(name)
        return a is not None and a.dtype == np.float32 and (ndim is None or a.ndim == ndim)

    out_nodes, out_inits, activations = [], {}, {}
    replaced = set()
    for node in nodes:
        if node.op_type == "MatMul" and is_float_init(node.input[1], 2):
            a, b, y = node.input[0], node.input[1], node.output[0]
            if a not in activations:
                activations[a] = (a + "_quantized", a + "_scale", a + "_zero_point")
                out_nodes.append(helper.make_node(
                    "DynamicQuantizeLinear", [a], list(activations[a]), name=a + "_QuantizeLinear"))
            a_q, a_scale, a_zp = activations[a]
            q, scale, zp = quantize_weight_int8(inits[b], per_channel, reduce_range)
            out_inits[b + "_quantized"] = q
            out_inits[b + "_scale"] = scale
            out_inits[b + "_zero_point"] = zp
            replaced.add(b)
            qname = node.name + "_quant"
            out_nodes += [
                helper.make_node("MatMulInteger", [a_q, b + "_quantized", a_zp, b + "_zero_point"],
                                 [y + "_output_quantized"], name=qname),
                helper.make_node("Cast", [y + "_output_quantized"],
                                 [y + "_output_quantized_cast_output"],
                                 name=y + "_output_quantized_cast", to=TensorProto.FLOAT),
                helper.make_node("Mul", [a_scale, b + "_scale"], [qname + "_scales_mul:0"],
                                 name=qname + "_scales_mul"),
                helper.make_node("Mul", [y + "_output_quantized_cast_output", qname + "_scales_mul:0"],
                                 [y], name=qname + "_output_scale_mul"),
            ]
        elif node.op_type == "Gather" and quantize_gathers and is_float_init(node.input[0]):
            t, idx, y = node.input[0], node.input[1], node.output[0]
            q, scale, zp = quantize_table_uint8(inits[t])
            out_inits[t + "_quantized"] = q
            out_inits[t + "_scale"] = scale
            out_inits[t + "_zero_point"] = zp
            replaced.add(t)
            out_nodes += [
                helper.make_node("Gather", [t + "_quantized", idx], [y + "_quantized"],
                                 name=node.name),
                helper.make_node("DequantizeLinear",
                                 [y + "_quantized", t + "_scale", t + "_zero_point"], [y],
                                 name=y + "_DequantizeLinear"),
            ]
        else:
            out_nodes.append(node)
    kept = {name: a for name, a in inits.items() if name not in replaced}
    kept.update(out_inits)
    return out_nodes, kept


# --------------------------------------------------------------------------
# Model files
# --------------------------------------------------------------------------

def make_model(nodes, inits, doc):
    dims = ["batch_size", "sequence_length"]
    graph = helper.make_graph(
        nodes, "codebert_shaped_encoder",
        inputs=[helper.make_tensor_value_info("input_ids", TensorProto.INT64, dims),
                helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dims)],
        outputs=[helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT,
                                               dims + [HIDDEN])],
        initializer=[numpy_helper.from_array(a, name) for name, a in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model.producer_name = "codesearch scripts/bench/build-codebert-model.py"
    model.producer_version = "1"
    model.doc_string = doc
    onnx.checker.check_model(model)
    return model


def write_model(model, path):
    data = model.SerializeToString(deterministic=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return len(data)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def copy_tokenizer(src, out):
    missing = [f for f in TOKENIZER_FILES if not os.path.isfile(os.path.join(src, f))]
    if missing:
        sys.exit("build-codebert-model.py: the CodeBERT tokenizer files are missing from %s: %s\n"
                 "Expected the microsoft/codebert-base tokenizer and config at "
                 "../shared/models/codebert-base-tokenizer/ (relative to the repository) "
                 "or a folder given with --tokenizer-dir." % (src, ", ".join(missing)))
    for f in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(src, f), os.path.join(out, f))  # not the read-only mode


def main():
    parser = argparse.ArgumentParser(
        description="Write a CodeBERT-shaped RoBERTa encoder with seeded random weights "
                    "(fp32 and dynamic int8 ONNX) next to the real CodeBERT tokenizer.")
    parser.add_argument("out_dir", nargs="?", default=DEFAULT_OUT,
                        help="output folder (default: bench-models/codebert-shaped in the repo)")
    parser.add_argument("--tokenizer-dir", default=DEFAULT_TOKENIZER_DIR,
                        help="folder with the CodeBERT config and tokenizer files "
                             "(default: ../shared/models/codebert-base-tokenizer)")
    parser.add_argument("--per-tensor", action="store_true",
                        help="one int8 scale per weight matrix, full range [-127, 127] "
                             "(default: per output column, reduced range [-64, 64])")
    parser.add_argument("--fp32-embeddings", action="store_true",
                        help="keep the embedding tables float32 in model_quantized.onnx")
    args = parser.parse_args()

    start = time.time()
    out = os.path.abspath(args.out_dir)
    tokenizer_dir = os.path.abspath(args.tokenizer_dir)
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    copy_tokenizer(tokenizer_dir, out)

    weights = make_weights()
    nodes, inits = build_fp32(weights)
    n_params = sum(a.size for name, a in weights.items())
    base_doc = ("CodeBERT-shaped RoBERTa encoder (12 x 768, 12 heads, FFN 3072, vocab 50265) "
                "with RANDOM weights N(0, %.2f), numpy seed %d: for speed benchmarks only."
                % (INIT_STD, SEED))
    sizes = {}
    model = make_model(nodes, inits, base_doc)
    sizes["model.onnx"] = write_model(model, os.path.join(out, "onnx", "model.onnx"))
    del model

    per_channel, reduce_range = not args.per_tensor, not args.per_tensor
    q_nodes, q_inits = quantize_dynamic_like(nodes, inits, per_channel, reduce_range,
                                             quantize_gathers=not args.fp32_embeddings)
    scheme = ("dynamic int8: MatMul weights int8 symmetric %s, range %s; activations uint8 "
              "(DynamicQuantizeLinear); embedding tables %s"
              % ("per output column" if per_channel else "per tensor",
                 "[-64, 64]" if reduce_range else "[-127, 127]",
                 "float32" if args.fp32_embeddings else "uint8 symmetric per tensor (zero point 128)"))
    model = make_model(q_nodes, q_inits, base_doc + " Quantized: " + scheme + ".")
    sizes["model_quantized.onnx"] = write_model(
        model, os.path.join(out, "onnx", "model_quantized.onnx"))
    del model

    write_json(os.path.join(out, "quantize_config.json"), {
        "per_channel": per_channel,
        "reduce_range": reduce_range,
        "per_model_config": {"model": {
            "op_types": sorted({n.op_type for n in nodes}),
            "weight_type": "QuantType.QInt8",
            "quantized_gathers": not args.fp32_embeddings,
        }},
        "note": "written by codesearch scripts/bench/build-codebert-model.py (quantize_dynamic-style "
                "rewrite, not onnxruntime itself)",
    })
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# CodeBERT-shaped benchmark model (random weights)\n\n"
                "Written by `scripts/bench/build-codebert-model.py` in the codesearch repository.\n"
                "The tokenizer and config are the real microsoft/codebert-base ones; the ONNX\n"
                "weights are random (N(0, %.2f), numpy seed %d), so the embeddings mean nothing.\n"
                "Use it for speed measurements only, and never commit or publish it.\n\n"
                "- onnx/model.onnx: float32, %d bytes\n"
                "- onnx/model_quantized.onnx: %s, %d bytes\n"
                % (INIT_STD, SEED, sizes["model.onnx"], scheme, sizes["model_quantized.onnx"]))

    print("wrote %s in %.1f s: %d parameters, seed %d" % (out, time.time() - start, n_params, SEED))
    for name, size in sizes.items():
        print("  onnx/%-22s %6.1f MB (%d bytes)" % (name, size / 1e6, size))
    print("  quantisation: " + scheme)


if __name__ == "__main__":
    main()
