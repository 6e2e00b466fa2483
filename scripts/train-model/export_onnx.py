#!/usr/bin/python3
"""Write a trained table as a transformers.js model folder (the layout of models/codesearch-small).

Graph (opset 14, IR 8, loadable by onnxruntime 1.14 inside @xenova/transformers 2.17.2):
    r = row_of_token[input_ids[b, t]]
    last_hidden_state[b, t, :] = float(Q[r, :]) * scale[r] * attention_mask[b, t]
Q is the table quantised to int8 per row (scale = max |row| / 127), pruned to the rows of tokens
seen in training (row_of_token maps every other token id to an all-zero row 0), so the file is
about trained tokens × dim bytes. Rows of special tokens and of tokens never seen in training are zero, so the
embedder's mean over the attention mask, once L2-normalised, has the direction of the mean over
the text's ordinary tokens: exactly the trainer's vector.

Files written to OUT: config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json
(CodeBERT's tokenizer, MIT, from TOKENIZER), codesearch.json (text preparation, batch size, token-mean embedding),
onnx/model_quantized.onnx.

Usage: /usr/bin/python3 scripts/train-model/export_onnx.py TABLE.npy OUT [--tokenizer DIR]
"""

import argparse
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 14
IR_VERSION = 8


def quantise(table):
    """Per-row symmetric int8 quantisation: (int8 [V, D], float32 scale [V])."""
    peak = np.abs(table).max(axis=1)
    scale = (peak / 127.0).astype(np.float32)
    safe = np.where(scale > 0, scale, 1.0)
    q = np.clip(np.rint(table / safe[:, None]), -127, 127).astype(np.int8)
    return q, scale


def prune(table):
    """(row_of_token int32 [V], compact table [1 + non-zero rows, D]): row 0 is the zero row that
    every special or untrained token maps to."""
    nonzero = np.flatnonzero(np.abs(table).sum(axis=1) > 0)
    row_of_token = np.zeros(table.shape[0], dtype=np.int32)
    row_of_token[nonzero] = np.arange(1, len(nonzero) + 1, dtype=np.int32)
    compact = np.zeros((len(nonzero) + 1, table.shape[1]), dtype=np.float32)
    compact[1:] = table[nonzero]
    return row_of_token, compact


def build_graph(row_of_token, q, scale):
    dims = ["batch", "tokens"]
    nodes = [
        helper.make_node("Gather", ["row_of_token", "input_ids"], ["row_ids"], name="gather_row_ids"),
        helper.make_node("Gather", ["table_int8", "row_ids"], ["rows_int8"], name="gather_rows"),
        helper.make_node("Cast", ["rows_int8"], ["rows"], name="cast_rows", to=TensorProto.FLOAT),
        helper.make_node("Gather", ["row_scale", "row_ids"], ["scales"], name="gather_scales"),
        helper.make_node("Cast", ["attention_mask"], ["mask"], name="cast_mask", to=TensorProto.FLOAT),
        helper.make_node("Mul", ["scales", "mask"], ["weights"], name="mask_scales"),
        helper.make_node("Unsqueeze", ["weights", "last_axis"], ["weights_3d"], name="unsqueeze"),
        helper.make_node("Mul", ["rows", "weights_3d"], ["last_hidden_state"], name="scale_rows"),
    ]
    graph = helper.make_graph(
        nodes, "codesearch_small_nbow",
        inputs=[helper.make_tensor_value_info("input_ids", TensorProto.INT64, dims),
                helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dims)],
        outputs=[helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT,
                                               dims + [q.shape[1]])],
        initializer=[numpy_helper.from_array(row_of_token, "row_of_token"),
                     numpy_helper.from_array(q, "table_int8"),
                     numpy_helper.from_array(scale, "row_scale"),
                     numpy_helper.from_array(np.array([-1], dtype=np.int64), "last_axis")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="codesearch scripts/train-model")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("table")
    ap.add_argument("out")
    ap.add_argument("--tokenizer", default="/work/shared/models/codebert-base-tokenizer")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--summary", help="training summary.json to copy into config.json")
    args = ap.parse_args()
    table = np.load(args.table).astype(np.float32)
    row_of_token, compact = prune(table)
    q, scale = quantise(compact)
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    model = build_graph(row_of_token, q, scale)
    path = os.path.join(args.out, "onnx", "model_quantized.onnx")
    onnx.save(model, path)
    for name in ("tokenizer.json", "special_tokens_map.json"):
        shutil.copyfile(os.path.join(args.tokenizer, name), os.path.join(args.out, name))
    with open(os.path.join(args.tokenizer, "tokenizer_config.json")) as f:
        tok_config = json.load(f)
    tok_config["model_max_length"] = 512
    with open(os.path.join(args.out, "tokenizer_config.json"), "w") as f:
        json.dump(tok_config, f, indent=2)
        f.write("\n")
    config = {
        "_name_or_path": "codesearch-small",
        "architectures": ["RobertaModel"],
        "model_type": "roberta",
        "description": "Neural bag of words over CodeBERT's BPE vocabulary (int8 table, mean over "
                       "non-special tokens); not a transformer. See README.md.",
        "hidden_size": int(table.shape[1]),
        "vocab_size": int(table.shape[0]),
        "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
        "max_position_embeddings": 514,
        "trained_tokens": int((np.abs(table).sum(axis=1) > 0).sum()),
    }
    if args.summary:
        with open(args.summary) as f:
            s = json.load(f)
        config["training"] = {k: s[k] for k in ("pairs", "epochs", "final_loss") if k in s}
        config["training"]["args"] = {k: v for k, v in s["args"].items()
                                      if k not in ("work", "tokenizer", "cosqa", "run")}
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "codesearch.json"), "w") as f:
        # "embedding": "token-mean" lets codesearch compute the vectors from the int8 table in JavaScript
        # (src/embed/token-table-embedder.ts), checked against this graph node by node when loaded.
        json.dump({"textPreparation": "split-identifiers", "batchSize": args.batch_size, "embedding": "token-mean"}, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}: onnx {os.path.getsize(path) / 1e6:.1f} MB, "
          f"{config['trained_tokens']} non-zero rows")


if __name__ == "__main__":
    main()
