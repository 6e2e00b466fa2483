#!/usr/bin/python3
"""Train the codesearch-small embedding table: a neural bag of words over CodeBERT's BPE vocabulary.

Model: one table E [vocab, 768]; a text's vector is the mean of E's rows over its tokens (after
model_text.py's identifier splitting and CodeBERT's BPE, special tokens left out), L2-normalised.
Objective: symmetric InfoNCE with in-batch negatives (query→code and code→query cross-entropy
over scaled cosines; learnable scale, initially 20), lazy Adam (SparseAdam) on the table, token
dropout. With probability
--hard-positive-rate the code side of a pair is its body only (no name, no signature), after
CodeSage (Zhang et al., ICLR 2024), so the model cannot match on names alone.

Only tokens that occur in the training texts get a trainable row (the rest stay zero in the
exported table: "vocabulary pruning"); the table is exported as WORK/<run>/table.npy indexed by
the original token ids, with zero rows for special tokens and tokens never seen in training.

Deterministic given --seed: single-threaded torch with deterministic algorithms, pairs in the
sorted order of pairs.jsonl, shuffles from numpy's RandomState(seed + epoch).

Usage: /usr/bin/python3 scripts/train-model/train_model.py --work .train-work --run base [options]
"""

import argparse
import hashlib
import json
import multiprocessing
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import ByteLevelBPE  # noqa: E402
from model_text import model_text  # noqa: E402
from dev_eval import DevSet  # noqa: E402

SPECIAL_IDS = (0, 1, 2, 3, 50264)  # <s> <pad> </s> <unk> <mask>


_BPE = None
_LIMITS = None


def _tokenize_chunk(lines):
    max_query, max_code = _LIMITS
    q, c, b = [], [], []
    for line in lines:
        p = json.loads(line)
        q.append(_BPE.encode(model_text(p["query"]))[:max_query])
        c.append(_BPE.encode(model_text(p["code"]))[:max_code])
        b.append(_BPE.encode(model_text(p["body"]))[:max_code])
    return q, c, b


def tokenize_pairs(work, bpe, max_query, max_code):
    """Token id lists of the pairs (cached in WORK/tokens-*.npz keyed by pairs.jsonl's hash)."""
    pairs_path = os.path.join(work, "pairs.jsonl")
    h = hashlib.sha256()
    with open(pairs_path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    cache = os.path.join(work, f"tokens-{h.hexdigest()[:16]}-{max_query}-{max_code}.npz")
    if os.path.exists(cache):
        z = np.load(cache)
        return [np.split(z[k + "_ids"], z[k + "_off"][1:-1]) for k in ("q", "c", "b")]
    with open(pairs_path, encoding="utf-8") as f:
        lines = f.readlines()
    global _BPE, _LIMITS
    _BPE, _LIMITS = bpe, (max_query, max_code)
    chunks = [lines[i:i + 2000] for i in range(0, len(lines), 2000)]
    qs, cs, bs = [], [], []
    with multiprocessing.Pool(2) as pool:  # fork: workers inherit _BPE; imap keeps the order
        for q, c, b in pool.imap(_tokenize_chunk, chunks):
            qs += q
            cs += c
            bs += b
    arrays = {}
    for k, rows in (("q", qs), ("c", cs), ("b", bs)):
        arrays[k + "_ids"] = np.concatenate([np.asarray(r, dtype=np.int64) for r in rows])
        arrays[k + "_off"] = np.cumsum([0] + [len(r) for r in rows])
    np.savez(cache, **arrays)
    return [[np.asarray(r, dtype=np.int64) for r in rows] for rows in (qs, cs, bs)]


def language_subset(pairs_path, n, caps, seed):
    """Sorted indices of the first n pairs after capping languages (caps: "go=30000,rust=20000"):
    a language over its cap keeps a random subset drawn with RandomState(seed)."""
    limit = {k: int(v) for k, v in (c.split("=") for c in caps.split(",") if c)}
    by_language = {}
    with open(pairs_path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            by_language.setdefault(json.loads(line).get("language", "python"), []).append(i)
    rng = np.random.RandomState(seed)
    keep = []
    for language in sorted(by_language):
        idx = by_language[language]
        cap = limit.get(language)
        if cap is not None and len(idx) > cap:
            idx = sorted(rng.choice(idx, cap, replace=False).tolist())
        keep += idx
    return sorted(keep)


def bag(rows, remap, drop, rng):
    """EmbeddingBag inputs for mode "sum" (flat compact ids, offsets, weights) with token dropout.

    Each row's distinct tokens appear once, weighted by count / row length, which is the mean over
    its tokens at a fraction of the cost (code repeats tokens). Never an empty bag: compact id 0 is
    the all-zero "empty" row.
    """
    flat, offsets, weights = [], [], []
    n = 0
    for r in rows:
        ids = remap[r]
        ids = ids[ids >= 0]
        if drop > 0 and len(ids) > 1:
            keep = rng.random_sample(len(ids)) >= drop
            if keep.any():
                ids = ids[keep]
        if len(ids) == 0:
            ids = np.zeros(1, dtype=np.int64)
        uniq, counts = np.unique(ids, return_counts=True)
        offsets.append(n)
        flat.append(uniq)
        weights.append(counts.astype(np.float32) / len(ids))
        n += len(uniq)
    return (torch.from_numpy(np.concatenate(flat)), torch.tensor(offsets, dtype=torch.int64),
            torch.from_numpy(np.concatenate(weights)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=".train-work")
    ap.add_argument("--run", default="base")
    ap.add_argument("--tokenizer", default="/work/shared/models/codebert-base-tokenizer")
    ap.add_argument("--cosqa", default="/work/shared/eval/cosqa")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--token-dropout", type=float, default=0.1)
    ap.add_argument("--hard-positive-rate", type=float, default=0.0)
    ap.add_argument("--max-query-tokens", type=int, default=64)
    ap.add_argument("--max-code-tokens", type=int, default=256)
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--init-std", type=float, default=0.02)
    ap.add_argument("--max-pairs", type=int, default=0, help="use only the first N pairs (0: all)")
    ap.add_argument("--language-caps", default="",
                    help="at most N pairs of a language, a seeded random subset: go=30000,rust=30000 (pairs.jsonl's "
                         "\"language\", Python when absent); tokenised once, so variants share the cache")
    ap.add_argument("--no-dev-eval", action="store_true")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps in all (0: run every epoch)")
    ap.add_argument("--eval-every", type=int, default=0, help="also report the dev figure every N steps")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    out_dir = os.path.join(args.work, "runs", args.run)
    os.makedirs(out_dir, exist_ok=True)
    log = open(os.path.join(out_dir, "train.log"), "w")

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    say("args " + json.dumps(vars(args), sort_keys=True))
    t0 = time.time()
    bpe = ByteLevelBPE(args.tokenizer)
    qs, cs, bs = tokenize_pairs(args.work, bpe, args.max_query_tokens, args.max_code_tokens)
    if args.max_pairs:
        qs, cs, bs = qs[:args.max_pairs], cs[:args.max_pairs], bs[:args.max_pairs]
    if args.language_caps:
        keep = language_subset(os.path.join(args.work, "pairs.jsonl"), len(qs), args.language_caps, args.seed)
        qs, cs, bs = [qs[i] for i in keep], [cs[i] for i in keep], [bs[i] for i in keep]
        say(f"language caps {args.language_caps}: {len(keep)} pairs kept")
    n = len(qs)
    say(f"pairs {n}, tokenised in {time.time() - t0:.0f} s")

    vocab_size = len(bpe.vocab)
    counts = np.zeros(vocab_size, dtype=np.int64)
    for rows in (qs, cs, bs):
        for r in rows:
            np.add.at(counts, r, 1)
    counts[list(SPECIAL_IDS)] = 0
    kept = np.flatnonzero(counts >= args.min_count)
    remap = np.full(vocab_size, -1, dtype=np.int64)
    remap[kept] = np.arange(1, len(kept) + 1)  # 0 is reserved for the empty bag
    say(f"vocabulary: {len(kept)} of {vocab_size} tokens trained (min count {args.min_count})")

    emb = torch.nn.EmbeddingBag(len(kept) + 1, args.dim, mode="sum", sparse=True)
    with torch.no_grad():
        emb.weight.normal_(0.0, args.init_std)
        emb.weight[0].zero_()
    log_scale = torch.nn.Parameter(torch.tensor(float(np.log(20.0))))
    # Lazy Adam: only the rows a batch touches are updated (dense Adam over the whole table costs
    # more than the rest of a step).
    opts = [torch.optim.SparseAdam([emb.weight], lr=args.lr), torch.optim.Adam([log_scale], lr=args.lr)]

    dev = None if args.no_dev_eval else DevSet(bpe, args.cosqa)

    def full_table():
        table = np.zeros((vocab_size, args.dim), dtype=np.float32)
        table[kept] = emb.weight.detach().numpy()[1:]
        return table

    best = (-1.0, -1)
    history = []
    total_steps = 0
    for epoch in range(args.epochs):
        if args.max_steps and total_steps >= args.max_steps:
            break
        te = time.time()
        rng = np.random.RandomState(args.seed + epoch)
        order = rng.permutation(n)
        total, steps = 0.0, 0
        for s in range(0, n - args.batch + 1, args.batch):
            if args.max_steps and total_steps >= args.max_steps:
                break
            idx = order[s:s + args.batch]
            q_ids, q_off, q_w = bag([qs[i] for i in idx], remap, args.token_dropout, rng)
            hard = rng.random_sample(len(idx)) < args.hard_positive_rate
            code_rows = [bs[i] if h and len(bs[i]) else cs[i] for i, h in zip(idx, hard)]
            c_ids, c_off, c_w = bag(code_rows, remap, args.token_dropout, rng)
            q = torch.nn.functional.normalize(emb(q_ids, q_off, per_sample_weights=q_w), dim=1)
            c = torch.nn.functional.normalize(emb(c_ids, c_off, per_sample_weights=c_w), dim=1)
            logits = log_scale.exp().clamp(max=100.0) * (q @ c.T)
            target = torch.arange(len(idx))
            loss = (torch.nn.functional.cross_entropy(logits, target)
                    + torch.nn.functional.cross_entropy(logits.T, target)) / 2
            for opt in opts:
                opt.zero_grad()
            loss.backward()
            for opt in opts:
                opt.step()
            total += loss.item()
            steps += 1
            total_steps += 1
            if dev and args.eval_every and total_steps % args.eval_every == 0:
                say(f"  step {total_steps} loss {total / steps:.4f} dev~MRR@10 {dev.mrr10(full_table()):.4f}")
        mrr = dev.mrr10(full_table()) if dev else float("nan")
        history.append({"epoch": epoch + 1, "loss": total / max(steps, 1), "dev_mrr10": mrr,
                        "seconds": time.time() - te, "scale": float(log_scale.exp())})
        say(f"epoch {epoch + 1}/{args.epochs} loss {total / max(steps, 1):.4f} "
            f"scale {float(log_scale.exp()):.1f} dev~MRR@10 {mrr:.4f} {time.time() - te:.0f} s")
        if mrr > best[0]:
            best = (mrr, epoch + 1)
        np.save(os.path.join(out_dir, "table.npy"), full_table())  # after every epoch
    table = full_table()
    summary = {"pairs": n, "trained_tokens": int(len(kept)), "epochs": args.epochs, "steps": total_steps,
               "final_loss": history[-1]["loss"] if history else None,
               "final_dev_mrr10_approx": history[-1]["dev_mrr10"] if history else None,
               "best_epoch_dev": best[1], "minutes": (time.time() - t0) / 60,
               "history": history, "args": vars(args)}
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    say(f"done in {(time.time() - t0) / 60:.1f} min; table {table.shape} -> {out_dir}/table.npy")


if __name__ == "__main__":
    main()
