"""Vietnamese text normalisation for matching and classification.

Citizens type with or without diacritics, with teencode (``ko``, ``dc``, ``z``, ``j``), with
several apostrophes (Cư M’gar, Cư M'gar, Cu Mgar) and with abbreviated place prefixes
(``p.``, ``x``, ``tt``, ``tx``, ``h.``, ``tp``, ``bmt``). Everything downstream (gazetteer,
triage rules, the statistical model) works on one canonical form: NFC, lower case, accents and
``đ`` folded to ASCII, apostrophes removed, punctuation turned into token boundaries, digits
split from letters, and common abbreviations expanded.

``fold()`` and ``tokens()`` are the public entry points; ``words()`` keeps the accented form
and capitalisation of every token for callers (the gazetteer) that need to tell ``cũ`` from
``Cư`` or ``văn hóa`` from ``Vân Hòa``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "Word",
    "accent_key",
    "fold",
    "has_diacritics",
    "strip_accents",
    "tokens",
    "words",
]

# Apostrophe look-alikes seen in Ede/M'nông names (M’Drắk, Ea H'leo, Cư M`gar); they are
# removed, not turned into spaces, so "M'gar" and "Mgar" fold to the same token.
_APOSTROPHES = "'’‘`ʼʹ′´"


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii() and len(base) == 1:
            table[cp] = base
    for cp in range(0x0300, 0x0370):  # stray combining marks (text typed in NFD)
        table[cp] = None
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    table[ord("ð")] = "d"
    for ch in _APOSTROPHES:
        table[ord(ch)] = None
    return table


_FOLD = _build_fold_table()
_NO_APOSTROPHE = {ord(ch): None for ch in _APOSTROPHES}
# Removing what is not a letter-for-letter replacement first keeps offsets aligned.
_NO_MARKS = {cp: None for cp, rep in _FOLD.items() if rep is None}
_FOLD_1TO1 = {cp: rep for cp, rep in _FOLD.items() if rep is not None and len(rep) == 1}
_FOLDED_WORD = re.compile(r"[a-z]+|[0-9]+")
_BREAK = re.compile(r"[,.;:!?()\[\]/\n\-–—|]")
_ACCENTED = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD) if chr(cp) not in _APOSTROPHES) + "]"
)
_RAW_WORD = re.compile(r"[^\W\d_]+|\d+")

# Old-style tone placement ("hoà", "thuý") to the style used in the official names ("hòa",
# "thúy"), so accented forms can be compared.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_TONE_RE = re.compile("|".join(_TONE_PAIRS))

# --- teencode and abbreviations -------------------------------------------------------------

_SIMPLE: dict[str, str] = {
    # negation
    "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "hok": "khong", "hk": "khong",
    "khum": "khong", "kh0ng": "khong",
    # common verbs / particles
    "dc": "duoc", "dcj": "duoc",
    "z": "vay", "zay": "vay", "zậy": "vay", "dzay": "vay",
    "j": "gi", "ji": "gi", "r": "roi", "ntn": "nhu the nao", "vs": "voi", "trc": "truoc",
    "ng": "nguoi", "ngta": "nguoi ta", "dag": "dang", "dg": "dang", "ms": "moi", "cx": "cung",
    "cug": "cung", "nx": "nua", "lm": "lam", "bik": "biet", "bjk": "biet", "hnay": "hom nay",
    "hqua": "hom qua", "hum": "hom", "wa": "qua", "bh": "bay gio", "bjo": "bay gio",
    "ktra": "kiem tra", "mik": "minh", "mjk": "minh", "mh": "minh", "ck": "chong", "vk": "vo",
    "ny": "nguoi yeu", "ae": "anh em", "mn": "moi nguoi", "mng": "moi nguoi",
    "tks": "cam on", "thks": "cam on", "thanks": "cam on", "thank": "cam on", "thx": "cam on",
    "camon": "cam on", "cmon": "cam on", "oke": "ok", "okie": "ok", "okela": "ok", "okay": "ok",
    "lh": "lien he", "ib": "inbox", "ctv": "cong tac vien",
    # police and documents
    "cs": "cong an", "csgt": "canh sat giao thong", "cskv": "canh sat khu vuc",
    "cand": "cong an nhan dan", "sdt": "so dien thoai", "dt": "dien thoai",
    "dth": "dien thoai", "gplx": "giay phep lai xe", "blx": "bang lai xe",
    "tngt": "tai nan giao thong", "xm": "xe may", "oto": "o to", "dky": "dang ky",
    "dki": "dang ky",
    # places
    "bmt": "buon ma thuot", "tp": "thanh pho", "tt": "thi tran", "tx": "thi xa", "x": "xa",
    "tdp": "to dan pho", "kp": "khu pho", "ql": "quoc lo", "tphcm": "thanh pho ho chi minh",
    "hcm": "ho chi minh", "sg": "sai gon",
}  # fmt: skip

_SPLIT: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in _SIMPLE.items()}
_CONTEXTUAL = {"h", "p", "k", "tr", "bn", "dk", "mk", "v", "q"}
_ADDRESS_WORDS = {"pho", "kp", "tdp", "thon", "to", "hem", "ngo", "so", "khoi", "xom", "ap", "km"}
_HOUR_BEFORE = {"bay", "may", "luc", "den", "toi", "gio", "tu", "nay", "sang", "chieu"}
_HOW_MUCH_BEFORE = {"phat", "tien", "gia", "mat", "het", "la", "tuoi", "lau", "cao", "nop"}
_REGISTER_AFTER = {
    "tam", "thuong", "xe", "khai", "lai", "kinh", "ket", "cccd", "luu", "giay", "bien",
    "sim", "online", "ho", "cu", "thay",
}  # fmt: skip
_PASSWORD_BEFORE = {"quen", "doi", "lay", "nhap", "sai", "cap"}
_EXPANDABLE = frozenset(_SPLIT) | _CONTEXTUAL
_TAIL_PARTICLES = {"ad", "a", "ah", "ha", "nhe", "ak", "khong", "ko", "k", "the"}


def _expand(folded: list[str]) -> list[tuple[str, int]]:
    """Expand teencode and abbreviations; each output token carries its source index."""
    if _EXPANDABLE.isdisjoint(folded):
        return list(zip(folded, range(len(folded)), strict=True))
    out: list[tuple[str, int]] = []
    n = len(folded)
    for i, tok in enumerate(folded):
        if tok in _CONTEXTUAL:
            prev = folded[i - 1] if i else ""
            after_number = prev.isdigit()
            nxt = folded[i + 1] if i + 1 < n else ""
            if tok == "h":
                if after_number or prev in _HOUR_BEFORE or not nxt or nxt.isdigit():
                    rep: tuple[str, ...] = ("gio",)
                else:
                    rep = ("huyen",)
            elif tok == "p":
                # "30p" is minutes, but "khu phố 5 p. Đông Hòa" is a ward after an address
                address = i >= 2 and folded[i - 2] in _ADDRESS_WORDS
                rep = ("phut",) if after_number and not address else ("phuong",)
            elif tok == "k":
                rep = ("nghin",) if after_number else ("khong",)
            elif tok == "tr":
                rep = ("trieu",) if after_number else ("tr",)
            elif tok == "bn":
                rep = ("bao", "nhieu") if prev in _HOW_MUCH_BEFORE or not nxt else ("ban",)
            elif tok == "dk":
                rep = ("dang", "ky") if nxt in _REGISTER_AFTER else ("duoc",)
            elif tok == "mk":
                rep = ("mat", "khau") if prev in _PASSWORD_BEFORE else ("minh",)
            elif tok == "q":
                rep = ("quan",) if nxt else ("q",)
            else:  # "v"
                rep = ("vay",) if not nxt or nxt in _TAIL_PARTICLES else ("v",)
            for r in rep:
                out.append((r, i))
        else:
            split = _SPLIT.get(tok)
            if split is None:
                out.append((tok, i))
            else:
                for r in split:
                    out.append((r, i))
    return out


# --- public API ----------------------------------------------------------------------------


def strip_accents(text: str) -> str:
    """NFC, lower case, diacritics and apostrophes removed, đ→d; punctuation kept."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


def has_diacritics(text: str) -> bool:
    """True if the text contains a Vietnamese accented letter or đ."""
    return not text.isascii() and _ACCENTED.search(text) is not None


@lru_cache(maxsize=65536)  # syllables repeat across messages
def accent_key(word: str) -> str:
    """Lower-case accented form with one tone-mark placement, for exact-accent comparisons.

    ``đ`` counts as ``d``: official spellings disagree (M’Drắk / M’Đrắk) and so do citizens."""
    s = unicodedata.normalize("NFC", word).lower().translate(_NO_APOSTROPHE).replace("đ", "d")
    return _TONE_RE.sub(lambda m: _TONE_PAIRS[m.group(0)], s)


def tokens(text: str) -> list[str]:
    """Folded, normalised tokens with teencode and abbreviations expanded."""
    folded = _FOLDED_WORD.findall(strip_accents(text))
    return [t for t, _ in _expand(folded)]


def fold(text: str) -> str:
    """Folded, normalised text: ``tokens(text)`` joined by single spaces."""
    return " ".join(tokens(text))


class Word(NamedTuple):
    """One normalised token and where it came from."""

    text: str  # folded, expanded token ("phuong" for "p.")
    raw: str  # accented lower-case source word ("" if the token came from an expansion)
    title: bool  # the source word started with a capital letter
    source: int  # position of the source word in the message
    brk: bool = False  # punctuation (",", ".", "(", "-"...) stands right before this token


def words(text: str) -> list[Word]:
    """Like ``tokens()`` but keeps accented source words, capitalisation and punctuation."""
    nfc = unicodedata.normalize("NFC", text).translate(_NO_MARKS)
    low = nfc.lower()
    folded = _FOLDED_WORD.findall(low.translate(_FOLD_1TO1))
    raw_words = _RAW_WORD.findall(low)
    if len(raw_words) == len(folded):
        source_words = _RAW_WORD.findall(nfc)
        titles = [w[0].isupper() for w in source_words]
        if len(titles) != len(raw_words):  # lower() split a word ("İ" → "i" + dot)
            titles = [False] * len(raw_words)
        seps = _RAW_WORD.split(low)[:-1]
    else:  # letters outside the Latin script: align on the folded text instead
        folded_text = low.translate(_FOLD_1TO1)
        spans = [m.span() for m in _FOLDED_WORD.finditer(folded_text)]
        raw_words = [low[a:b] for a, b in spans]
        # lower() may change the length ("İ" → "i̇"): then nfc's positions are not low's.
        aligned = len(nfc) == len(low)
        titles = [aligned and nfc[a].isupper() for a, _ in spans]
        ends = [0, *(b for _, b in spans[:-1])][: len(spans)]  # none when no word folded
        seps = [folded_text[e:a] for e, (a, _) in zip(ends, spans, strict=True)]
    breaks = [sep != " " and _BREAK.search(sep) is not None for sep in seps]
    new = tuple.__new__  # NamedTuple's own constructor is a slow Python-level call
    out: list[Word] = []
    last = -1
    for tok, src in _expand(folded):
        same = tok == folded[src]
        out.append(
            new(
                Word,
                (
                    tok,
                    raw_words[src] if same else "",
                    titles[src],
                    src,
                    breaks[src] and src != last,
                ),
            )
        )
        last = src
    return out
