"""Words as the search sees them: normalized, hyphenated names joined, and the near spellings it accepts."""

from __future__ import annotations

import re
from functools import cache

_WORD = re.compile(r"[^\W_]+")


@cache  # a guide's words repeat: indexing 100,000 cards normalizes each distinct word once
def normalize(word: str) -> str:
    """Lower case, and a light singular form so that 'GANs' and 'losses' meet 'GAN' and 'loss'."""
    word = word.casefold()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Normalized words of a text; hyphenated names also give their joined form (R-CNN: r, cnn, rcnn)."""
    found: list[str] = []
    for chunk in text.split():
        if chunk.isalnum():  # most are: no regular expression, no list (indexing 100,000 cards: twice as fast)
            found.append(normalize(chunk))
            continue
        if chunk[:-1].isalnum():  # a word and its punctuation mark
            found.append(normalize(chunk[:-1]))
            continue
        parts = _WORD.findall(chunk)
        found.extend(map(normalize, parts))
        if len(parts) > 1:
            found.append(normalize("".join(parts)))
    return found


def is_abbreviation(short: str, word: str) -> bool:
    """'attn' abbreviates 'attention': the start of the word's consonant skeleton (its first letter kept).

    Letters merely found in order would be too loose: 'attn' would also fit 'attribution' and
    'augmentation'.
    """
    if short[0] != word[0] or any(char in "aeiouy" for char in short[1:]):
        return False
    skeleton = word[0] + "".join(char for char in word[1:] if char not in "aeiouy")
    return skeleton.startswith(short)


def within_typos(term: str, word: str) -> bool:
    """At most one edit (two for long words), counting a swap of neighbours as one."""
    allowed = 1 if len(term) < 8 else 2
    if abs(len(term) - len(word)) > allowed:
        return False
    # a letter of the term that the word lacks takes an edit of its own: most words are ruled out here, a
    # tenth of the time the distance takes
    if len(set(term).difference(word)) > allowed:
        return False
    previous_row: list[int] = []  # the row before `row`; `before`, the one before that
    row = list(range(len(word) + 1))
    for i, a in enumerate(term, 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(word)
        for j, b in enumerate(word, 1):
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + (a != b))
            if i > 1 and j > 1 and a == word[j - 2] and term[i - 2] == b:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > allowed:
            return False
    return row[-1] <= allowed
