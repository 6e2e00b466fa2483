#!/usr/bin/python3
"""Build codesearch's own tiny test embedding model.

The tests of codesearch need an embedding model that transformers.js
(@xenova/transformers 2.17.2) loads offline from a local folder exactly as it
loads a Hugging Face hub model (config.json, tokenizer.json,
tokenizer_config.json, onnx/model.onnx, onnx/model_quantized.onnx), but that
is small, deterministic and contains no third-party data.  This script writes
such a model:

* a BERT-style WordPiece tokenizer whose vocabulary is written below (special
  tokens, printable ASCII characters and their "##" forms, and a hand-written
  list of English and Python words);
* a bag-of-words "encoder" with 768-d output, the size of CodeBERT:
      last_hidden_state = Tanh(Gather(E, input_ids) @ W + b) * attention_mask
  E [vocab, 64], W [64, 768] and b [768] come from numpy's default_rng(SEED),
  so texts sharing words get similar mean-pooled vectors.  "##word" shares
  the embedding of "word", so "ConnectionReset" ~ "connection reset".  Special
  tokens and punctuation get short embedding rows so that they weigh little.

The quantized model uses the same graph with E and W stored as int8 with a
per-tensor scale, dequantized by DequantizeLinear before use.

Usage: /usr/bin/python3 scripts/build-test-model.py fixtures/model
(needs Debian's python3-onnx and python3-numpy).  The output is byte-for-byte
the same on every run.
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20240611
EMBED_DIM = 64
HIDDEN_SIZE = 768
MAX_LENGTH = 512
OPSET = 14
IR_VERSION = 8  # accepted by onnxruntime 1.14 (transformers.js 2.17.2)

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

SUFFIXES = """
s es ed d ing er ers or ors ion ions ation ations able ible al ally ly ment ments ness ize ized
izes izer ify ified ity ive ful less ic y ies ier ied est ish ism ist en ence ance ant ent age ure
ize ise ised
"""

# Words typical of Python code and of questions about code.  Words in CODE
# (and SUFFIXES) also get a "##" form so that snake-less compounds split well
# ("getattr" -> get ##attr, "connectionreset" -> connection ##reset).
KEYWORDS = """
false none true and as assert async await break class continue def del elif else except finally for
from global if import in is lambda nonlocal not or pass raise return try while with yield match
case self cls
"""

BUILTINS = """
abs all any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex
delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals hasattr
hash help hex id input int isinstance issubclass iter len list locals map max memoryview min next
object oct open ord pow print property range repr reversed round set setattr slice sorted
staticmethod str sum super tuple type vars zip
"""

STDLIB = """
os sys re json csv math random time datetime collections itertools functools typing pathlib
subprocess logging argparse unittest pytest asyncio threading multiprocessing socket ssl http
urllib requests shutil glob pickle copy io tempfile hashlib base64 uuid struct enum dataclass
dataclasses abc contextlib decimal fractions statistics queue heapq bisect array weakref inspect
ast traceback warnings signal select sqlite sqlite3 xml html email zipfile tarfile gzip zlib
configparser getpass platform locale string textwrap difflib pprint operator secrets hmac timeit
cprofile profile pdb doctest mock patch fixture numpy pandas scipy torch tensorflow django flask
fastapi sqlalchemy pydantic celery redis boto aiohttp httpx click yaml toml dotenv jinja
"""

CODE = """
get set put post patch delete head options add remove insert append extend pop push clear update
upsert create make build new init setup teardown start stop run exec execute call invoke apply
handle handler process dispatch emit send recv receive fetch pull load save store dump dumps loads
read write open close flush seek tell copy move rename exists check validate verify ensure parse
parser format render serialize deserialize encode decode encrypt decrypt compress decompress
convert transform normalize sanitize escape unescape quote split join strip trim replace find
search match lookup resolve scan index sort sorted order filter map reduce sum count total min max
mean avg average merge diff compare equal equals hash key keys value values item items entry
entries pair pairs list dict set tuple array vector matrix tensor table row rows column columns
cell field fields record records schema model models view views form forms template templates page
pages query queries sql database db cursor transaction commit rollback migrate migration session
sessions cookie request requests response responses client server service services api rest http
https url uri link host port address ip tcp udp socket sockets connection connections connect
disconnect reconnect retry retries backoff timeout delay wait sleep poll ping reset refused error
errors exception exceptions raise fail failed failure success ok status code codes message messages
log logger logging debug info warn warning critical trace stack frame line lines file files path
paths dir directory folder name names filename ext extension size length width height offset limit
page range start end begin first last next prev previous current default config configuration
settings setting option env environment variable variables var const constant global local param
params parameter parameters arg args argument arguments kwargs flag flags token tokens tokenize
tokenizer auth authenticate authorization login logout password user users username account admin
role permission permissions group cache cached caching memo memoize lru ttl expire expired evict
store buffer stream streams chunk chunks batch batches queue stack heap tree node nodes graph edge
edges parent child children root leaf walk visit visitor traverse thread threads lock locks mutex
semaphore pool worker workers task tasks job jobs schedule scheduler event events loop callback
callbacks future promise signal signals hook hooks plugin plugins module modules package packages
import export path version release build deploy install test tests testing unit integration assert
expected actual result results output input inputs outputs source target dest destination data
dataset frame dataframe series text string strings char chars byte bytes bit bits number numbers
integer float double decimal bool boolean null empty blank missing valid invalid unique duplicate
random seed shuffle sample time times date dates datetime timestamp timezone utc now today second
seconds minute minutes hour hours day days week month year duration interval clock timer header
headers body content payload json xml yaml csv html markdown text binary utf ascii unicode regex
pattern patterns glob wildcard prefix suffix upper lower case title capitalize camel snake kebab
slug email phone image images audio video document documents doc docs comment comments note notes
description summary report reports metric metrics stats counter gauge histogram progress bar status
state states context manager wrapper decorator decorate descriptor generator iterator iterable
sequence mapping collection container registry factory builder adapter proxy observer singleton
base abstract interface mixin meta metaclass instance instances attribute attributes attr method
methods function functions func fn class classes object objects type types typed annotation
annotations hint hints generic protocol callable async sync await coroutine concurrent parallel
process processes subprocess command commands cli shell terminal console prompt input output stdin
stdout stderr pipe signal kill exit abort cancel cancelled interrupt resume pause restart shutdown
cleanup dispose release acquire alloc free memory leak gc garbage size bytes kb mb gb disk storage
bucket blob upload download transfer sync remote local origin mirror backup restore snapshot
archive zip unzip extract pack unpack wrap unwrap bind bound scope closure lambda recursion
recursive iterate iteration loop nested flat flatten chain group groupby aggregate partition slice
sliced window sliding shift rotate swap reverse invert negate toggle enable disable enabled
disabled visible hidden show hide display draw plot chart color style theme font layout widget
button click press key keyboard mouse screen window dialog menu event listener route routes router
routing endpoint endpoints middleware controller handler view render template static media asset
assets file upload encoding decoding charset locale language translate translation cipher crypto
key secret secrets private public cert certificate verify sign signature hmac sha md5 digest
checksum salt nonce otp jwt oauth bearer proxy redirect forward backward header status get post
socket bind listen accept tls ssl handshake certificate attempt attempts exponential jitter circuit
breaker rate limit throttle quota burst conn req resp res ctx cfg conf msg err exc obj val idx num
tmp buf fd src dst opt opts util utils lib impl ptr arr elem pos cnt cur addr fmt proc pid uid sock
ts dt repo repos perm perms spec specs doc init main app
"""

ENGLISH = """
the a an of to in on at by for with without from into onto over under about after before during
between through across against within is are was were be been being am do does did done doing have
has had having can could will would shall should may might must it its this that these those there
here where when why how what which who whom whose while if else then than so but or and not no yes
all any some each every many much more most less least few other another same different such only
also just even still again once twice very too quite really up down out off back away way ways
thing things something nothing anything everything someone anyone everyone one two three four five
six seven eight nine ten hundred thousand million zero half part parts whole i me my we us our you
your he him his she her they them their find finds found finding use uses used using make makes
made making take takes took taking give gives gave given go goes went going come comes came coming
see sees saw seen look looks looked looking want wants wanted need needs needed know knows knew
known think thought try tries tried trying work works worked working help helps helped keep keeps
kept let lets show shows shown tell tells told ask asks asked happen happens happened fix fixes
fixed fixing change changes changed changing support supports supported problem problems issue
issues bug bugs question questions answer answers example examples case cases way better best good
bad wrong right correct incorrect slow fast quick quickly simple easy hard big small large long
short old new high low full possible impossible instead because since until unless though although
whether either neither both usually always never often sometimes already yet automatically manually
properly correctly inside outside above below
"""


def build_vocab():
    """Return the token list: id i is vocab[i]."""
    vocab = list(SPECIAL_TOKENS)
    chars = [chr(c) for c in range(33, 127)]  # printable ASCII but the space
    vocab += chars
    vocab += ["##" + c for c in chars]
    code_words = (KEYWORDS + BUILTINS + STDLIB + CODE).split()
    vocab += code_words + ENGLISH.split()
    vocab += ["##" + s for s in SUFFIXES.split()]
    vocab += ["##" + w for w in code_words if len(w) >= 2]
    seen, unique = set(), []
    for tok in vocab:  # de-duplicate, keeping the first id
        if tok not in seen:
            seen.add(tok)
            unique.append(tok)
    return unique


def make_weights(vocab):
    """E [vocab, EMBED_DIM], W [EMBED_DIM, HIDDEN], b [HIDDEN] from SEED."""
    rng = np.random.default_rng(SEED)
    emb = rng.standard_normal((len(vocab), EMBED_DIM)).astype(np.float32)
    w = (rng.standard_normal((EMBED_DIM, HIDDEN_SIZE)) / np.sqrt(EMBED_DIM)).astype(np.float32)
    b = (0.02 * rng.standard_normal(HIDDEN_SIZE)).astype(np.float32)
    ids = {tok: i for i, tok in enumerate(vocab)}
    for i, tok in enumerate(vocab):
        base = tok[2:] if tok.startswith("##") else tok
        if tok.startswith("##") and base in ids:
            emb[i] = emb[ids[base]]  # "##reset" means the same as "reset"
        if tok in SPECIAL_TOKENS or (len(base) == 1 and not base.isalnum()):
            emb[i] *= 0.1  # special tokens and punctuation weigh little
        elif len(base) == 1:
            emb[i] *= 0.3  # so do single letters and digits (pieces of unknown words)
    return emb, w, b


def quantize(x):
    """Symmetric per-tensor int8: x ~ q * scale."""
    scale = np.float32(np.abs(x).max() / 127.0)
    q = np.clip(np.round(x / scale), -127, 127).astype(np.int8)
    return q, scale


def build_graph(emb, w, b, quantized):
    nodes, inits = [], []
    if quantized:
        for name, x in (("embeddings", emb), ("projection", w)):
            q, scale = quantize(x)
            inits += [numpy_helper.from_array(q, name + "_int8"),
                      numpy_helper.from_array(np.array(scale, np.float32), name + "_scale"),
                      numpy_helper.from_array(np.array(0, np.int8), name + "_zero_point")]
            nodes.append(helper.make_node(
                "DequantizeLinear", [name + "_int8", name + "_scale", name + "_zero_point"],
                [name], name="dequantize_" + name))
    else:
        inits += [numpy_helper.from_array(emb, "embeddings"),
                  numpy_helper.from_array(w, "projection")]
    inits += [numpy_helper.from_array(b, "bias"),
              numpy_helper.from_array(np.array([-1], np.int64), "last_axis")]
    nodes += [
        helper.make_node("Gather", ["embeddings", "input_ids"], ["token_vectors"], name="gather"),
        helper.make_node("MatMul", ["token_vectors", "projection"], ["projected"], name="matmul"),
        helper.make_node("Add", ["projected", "bias"], ["biased"], name="add_bias"),
        helper.make_node("Tanh", ["biased"], ["activated"], name="tanh"),
        helper.make_node("Cast", ["attention_mask"], ["mask_float"], name="cast_mask",
                         to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_float", "last_axis"], ["mask_3d"], name="unsqueeze_mask"),
        helper.make_node("Mul", ["activated", "mask_3d"], ["last_hidden_state"], name="apply_mask"),
    ]
    dims = ["batch_size", "sequence_length"]
    graph = helper.make_graph(
        nodes, "codesearch_test_model",
        inputs=[helper.make_tensor_value_info("input_ids", TensorProto.INT64, dims),
                helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dims)],
        outputs=[helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT,
                                               dims + [HIDDEN_SIZE])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model.producer_name = "codesearch scripts/build-test-model.py"
    model.producer_version = "1"
    model.doc_string = "codesearch test model (bag of words, seed %d%s)" % (
        SEED, ", int8 weights" if quantized else "")
    onnx.checker.check_model(model)
    return model


def special(tok, vocab_ids):
    return {"id": vocab_ids[tok], "content": tok, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": True}


def build_tokenizer(vocab):
    ids = {tok: i for i, tok in enumerate(vocab)}
    cls, sep = ("[CLS]", "[SEP]")
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(tok, ids) for tok in SPECIAL_TOKENS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": cls, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": sep, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": cls, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": sep, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": sep, "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in (cls, sep)},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def build_configs(vocab):
    config = {
        "_name_or_path": "codesearch-test-model",
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": HIDDEN_SIZE,
        "max_position_embeddings": MAX_LENGTH,
        "vocab_size": len(vocab),
        "type_vocab_size": 2,
        "pad_token_id": 0,
        "codesearch_test_model": True,
        "seed": SEED,
        "embedding_size": EMBED_DIM,
        "description": "Bag-of-words test encoder: tanh(E[input_ids] @ W + b) * attention_mask. "
                       "Not a transformer; see README.md.",
    }
    tokenizer_config = {
        "tokenizer_class": "BertTokenizer",
        "model_max_length": MAX_LENGTH,
        "do_lower_case": True,
        "pad_token": "[PAD]",
        "unk_token": "[UNK]",
        "cls_token": "[CLS]",
        "sep_token": "[SEP]",
        "mask_token": "[MASK]",
    }
    return config, tokenizer_config


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: build-test-model.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    vocab = build_vocab()
    emb, w, b = make_weights(vocab)
    config, tokenizer_config = build_configs(vocab)
    write_json(os.path.join(out, "config.json"), config)
    write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config)
    write_json(os.path.join(out, "tokenizer.json"), build_tokenizer(vocab))
    for name, quantized in (("model.onnx", False), ("model_quantized.onnx", True)):
        model = build_graph(emb, w, b, quantized)
        with open(os.path.join(out, "onnx", name), "wb") as f:
            f.write(model.SerializeToString(deterministic=True))
    print("wrote %s: vocab %d, embed %d, hidden %d, seed %d"
          % (out, len(vocab), EMBED_DIM, HIDDEN_SIZE, SEED))


if __name__ == "__main__":
    main()
