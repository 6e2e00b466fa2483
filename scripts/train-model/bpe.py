"""CodeBERT's byte-level BPE (RoBERTa/GPT-2 scheme) for texts prepared by model_text.py.

Prepared texts are lower-case words of letters, marks and digits separated by single spaces, so
the ByteLevel pre-tokenizer (add_prefix_space false) reduces to: split each word into runs of
letters, of digits and of anything else; every run but the text's first carries the "Ġ" (space)
prefix when a space precedes it. Each run is then merged with merges.txt by rank. Results are
cached per run. Equality with transformers.js's tokenizer is checked by export_onnx.py.
"""

import json
import os
import unicodedata


def _bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def _kind(ch):
    c = unicodedata.category(ch)[0]
    return "L" if c == "L" else "N" if c == "N" else "O"


class ByteLevelBPE:
    """Encoder of prepared texts to token ids (no special tokens)."""

    def __init__(self, tokenizer_dir):
        with open(os.path.join(tokenizer_dir, "vocab.json"), encoding="utf-8") as f:
            self.vocab = json.load(f)
        with open(os.path.join(tokenizer_dir, "merges.txt"), encoding="utf-8") as f:
            merges = [tuple(l.split()) for l in f.read().split("\n")[1:] if l.strip()]
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.byte_map = _bytes_to_unicode()
        self.cache = {}
        self.word_cache = {}

    def _bpe(self, token):
        word = list(token)
        while len(word) > 1:
            best = None
            for i in range(len(word) - 1):
                r = self.ranks.get((word[i], word[i + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            a, b = word[best[1]], word[best[1] + 1]
            merged = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                    merged.append(a + b)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        return [self.vocab[w] for w in word]

    def _run_ids(self, run):
        ids = self.cache.get(run)
        if ids is None:
            mapped = "".join(self.byte_map[b] for b in run.encode("utf-8"))
            ids = self._bpe(mapped)
            self.cache[run] = ids
        return ids

    def _word_ids(self, word, spaced):
        key = (word, spaced)
        ids = self.word_cache.get(key)
        if ids is None:
            runs = []
            for ch in word:
                k = _kind(ch)
                if runs and runs[-1][0] == k:
                    runs[-1][1].append(ch)
                else:
                    runs.append((k, [ch]))
            ids = []
            for ri, (_k, chars) in enumerate(runs):
                prefix = " " if spaced and ri == 0 else ""
                ids.extend(self._run_ids(prefix + "".join(chars)))
            self.word_cache[key] = ids
        return ids

    def encode(self, text):
        """Token ids of a prepared text, without <s> and </s>."""
        ids = []
        for wi, word in enumerate(text.split(" ")):
            if word:
                ids.extend(self._word_ids(word, wi > 0))
        return ids
