"""Text preparation of the codesearch-small model: the Python twin of src/model/model-text.ts.

Both sides implement one definition, ``split-identifiers``, and are tested against the same cases
(scripts/train-model/model-text-cases.json, read by test_model_text.py and by
test/embed/model-text.test.ts):

* the words of a text are its maximal runs of Unicode letters (L), marks (M), digits (N) and ``_``;
* each word is split into identifier parts: at ``_``, at a lower→upper case change (``parseHttp``),
  before the last capital of an acronym followed by a lower-case letter (``HTTPHeader``), and at
  letter↔digit changes (``header2``); empty parts are dropped and parts are lower-cased;
* the result is the parts of all words in text order joined by single spaces; everything else
  (punctuation, operators, white space) is dropped.

``parseHTTPHeader2(x)`` → ``parse http header 2 x``.
"""

import functools
import re
import sys
import unicodedata


def _char_class(prefixes):
    """A regex character class of every code point whose category starts with one of prefixes."""
    ranges = []
    start = prev = None
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith(prefixes):
            if start is None:
                start = prev = cp
            elif cp == prev + 1:
                prev = cp
            else:
                ranges.append((start, prev))
                start = prev = cp
    if start is not None:
        ranges.append((start, prev))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


_L = _char_class(("L",))
_LU = _char_class(("Lu",))
_LL = _char_class(("Ll",))
_N = _char_class(("N",))
_M = _char_class(("M",))

_WORD = re.compile(f"[{_L}{_M}{_N}_]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")  # the same set on ASCII text, 20x faster
_LOWER_UPPER = re.compile(f"([{_LL}])([{_LU}])")
_ACRONYM_END = re.compile(f"([{_LU}])([{_LU}][{_LL}])")
_LETTER_DIGIT = re.compile(f"([{_L}])([{_N}])")
_DIGIT_LETTER = re.compile(f"([{_N}])([{_L}])")


@functools.lru_cache(maxsize=1 << 20)
def _split_cached(identifier):
    return " ".join(split_identifier(identifier))


def split_identifier(identifier):
    """Lower-case parts of one identifier: ``parseHTTPHeader2`` → ``[parse, http, header, 2]``."""
    parts = []
    for piece in identifier.split("_"):
        piece = _LOWER_UPPER.sub(r"\1 \2", piece)
        piece = _ACRONYM_END.sub(r"\1 \2", piece)
        piece = _LETTER_DIGIT.sub(r"\1 \2", piece)
        piece = _DIGIT_LETTER.sub(r"\1 \2", piece)
        parts.extend(p.lower() for p in piece.split(" ") if p != "")
    return parts


def model_text(text):
    """The text the model's tokenizer sees: identifier parts of every word, space-separated."""
    words = (_ASCII_WORD if text.isascii() else _WORD).findall(text)
    return " ".join(p for p in map(_split_cached, words) if p)
