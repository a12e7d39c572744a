"""What of a message is read as the citizen's words, sentence by sentence, and how its
ambiguous syllables read.

Three mistakes officers saw came from reading a case's text as one run of folded tokens:

* a phrase matched across the web form's own lines and the citizen's next message
  ("Người báo tin: ẩn danh." + "Bo sung…" → "đánh bố"), or across two sentences;
* a phrase matched inside a compound word ("chuẩn bị đánh nhau" holds "bị đánh");
* once accents are folded, ``chay`` is flow, burn and run at once, ``dam`` stab, lewd and
  pond, ``bi`` suffer and secret: "đang chảy nhiều máu" read as "đang cháy", "bi dam o cho"
  (bị đâm ở chợ) as "dâm ô".

``read()`` therefore splits the text into sentences of the citizen's own words (the web
form's labels and its note about the reporter are dropped, the values the citizen chose are
kept as sentences of their own), and gives each ambiguous syllable a *sense*: from its accents
when the citizen typed them, otherwise from words around it (``máu``, ``dao``, ``bị thương``
→ đâm / chảy; ``khói``, ``lửa`` → cháy); with no such word it stays open (every reading).
Lexicon phrases are matched within one sentence, not starting or ending inside a compound,
and only where the senses agree; the model sees the sense as part of the token
(``chay`` → ``qflow`` for chảy), so one accent-typed word is not read as another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from binhyen.lib import vntext

# The lines ``tips.services.compose_text`` adds after the citizen's words.
_FORM_HEADERS = ("— thông tin từ biểu mẫu web —", "— thông tin từ open311 —")
_FORM_DROP = ("người báo tin", "có vị trí đánh dấu trên bản đồ")
_FORM_LABEL = re.compile(r"^[^:\n]{2,60}:\s*")
_FORM_ARROW = " → "

# Sentence ends: . ! ? ; … and new lines (a "." inside "1.5" or "p.Tân" does not end one).
_SENTENCE_END = re.compile(r"(?:[.!?;…]+(?=\s|$)|\n)+")

# Ambiguous folded syllable → {sense (accented): model token}. The first sense listed is not a
# default: an ambiguous syllable without context keeps its plain folded token.
# A sense's token shares no character n-gram with the syllable ("q" + an English gloss), so
# the model does not carry what it learnt of "cháy" over to "chảy".
SENSE_TOKENS: dict[str, dict[str, str]] = {
    "chay": {"chảy": "qflow", "cháy": "qburn", "chạy": "qrun"},
    "dam": {"đâm": "qstab", "dâm": "qlewd", "đầm": "qpond"},
    "bi": {"bị": "bi", "bí": "qsecret"},
}


def sense_key(word: str) -> str:
    """``vntext.accent_key`` that keeps ``đ`` apart from ``d`` (đâm is not dâm)."""
    return vntext.accent_key(word) + ("đ" if "đ" in word.lower() else "")


_SENSE_KEYS = {
    tok: {sense_key(sense): sense for sense in senses} for tok, senses in SENSE_TOKENS.items()
}

# Words around an unaccented ambiguous syllable that choose its sense (folded phrases).
_CONTEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "chay": {
        "chảy": ("mau", "nuoc mat", "mo hoi", "mu", "dong chay", "nuoc lu"),
        "cháy": (
            "khoi", "lua", "boc", "chua chay", "pccc", "114", "gas", "chap dien",
            "ngut", "tan", "dam chay", "vu chay", "lan", "bep", "nong", "khet",
        ),
        "chạy": (
            "xe", "tron", "theo", "duoi", "bo", "toc do", "kip", "nhanh", "di mat", "ra ngoai",
            "vong", "dua", "may", "mat hut", "ra duong",
        ),
    },
    "dam": {
        "đâm": (
            "mau", "dao", "bi thuong", "chem", "keo", "nhau", "tu vong", "cap cuu", "guom",
            "xe", "chet", "hung khi", "vet thuong",
        ),
        "dâm": ("hiep", "xam hai", "so soang", "tre em", "be gai", "ban dam", "au dam"),
        "đầm": ("nuoc", "sen", "lay", "nuoi tom", "bun", "tam dam", "duoi nuoc"),
    },
}  # fmt: skip
_CONTEXT_TOKENS = {
    tok: {sense: [tuple(c.split()) for c in cues] for sense, cues in senses.items()}
    for tok, senses in _CONTEXT.items()
}
# Within how many tokens of the syllable a context word counts (same sentence first).
_WINDOW = 8

# Two-syllable words whose second syllable must not start a phrase, and whose first must
# not end one ("chuẩn bị | đánh nhau", "ẩn danh | bổ sung").
_COMPOUNDS = """chuẩn bị|thiết bị|trang bị|dự bị|phòng bị|ẩn danh|bổ sung|danh sách|
    đánh giá|đánh máy|đánh thức|đánh răng|đánh số|đánh dấu|bí mật|bí thư|chạy bộ|
    tiêm chủng|đầm lầy|dâm bụt|cháy hàng|cháy túi|chạy chữa|chạy việc|chạy thận"""
_COMPOUND_KEYS: dict[tuple[str, str], tuple[str, str]] = {}
for _c in _COMPOUNDS.replace("\n", "").split("|"):
    _w = _c.split()
    _COMPOUND_KEYS[(vntext.fold(_w[0]), vntext.fold(_w[1]))] = (
        vntext.accent_key(_w[0]),
        vntext.accent_key(_w[1]),
    )


@dataclass
class Reading:
    """The citizen's words of one text: folded tokens, their source words and sentences."""

    text: str  # the citizen's own words (form labels dropped), sentences joined by new lines
    whole: bool  # nothing was dropped: ``words`` are the words of the original text
    words: list[vntext.Word]
    sentence: list[int]  # sentence index of every token
    senses: list[str | None]  # the sense of an ambiguous syllable (accented), else None
    compound_start: list[bool]  # the token is the second syllable of a compound word
    compound_end: list[bool]  # the token is the first syllable of a compound word

    @property
    def tokens(self) -> list[str]:
        return [w.text for w in self.words]

    def model_tokens(self) -> list[str]:
        """Tokens as the model sees them: an ambiguous syllable with a sense is followed by
        its sense token (the syllable's own n-grams stay: they carry typos and teencode)."""
        out = []
        for w, sense in zip(self.words, self.senses, strict=True):
            out.append(w.text)
            if sense is not None and SENSE_TOKENS[w.text][sense] != w.text:
                out.append(SENSE_TOKENS[w.text][sense])
        return out


def citizen_sentences(text: str) -> list[str]:
    """The sentences of the citizen's own words: form headers and the reporter note dropped,
    ``Label: value`` lines of the form reduced to their value."""
    return _sentences(text)[0]


def _sentences(text: str) -> tuple[list[str], bool]:
    out: list[str] = []
    if "—" not in text:  # no form block (its header has an em dash): only split sentences
        return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()], True
    in_form = False
    for line in text.split("\n"):
        low = line.strip().lower()
        if low in _FORM_HEADERS:
            in_form = True
            continue
        if in_form:
            if low.startswith(_FORM_DROP):
                if low.startswith("người báo tin"):
                    in_form = False  # the form's last line; what follows is a new message
                continue
            line = _FORM_LABEL.sub("", line.strip(), count=1).split(_FORM_ARROW)[0]
        out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out, False


def read(text: str) -> Reading:
    words: list[vntext.Word] = []
    sentence: list[int] = []
    sentences, whole = _sentences(text)
    offset = 0
    for n, s in enumerate(sentences):
        ws = vntext.words(s)
        for k, w in enumerate(ws):
            words.append(w._replace(source=w.source + offset, brk=w.brk or k == 0))
            sentence.append(n)
        offset += (ws[-1].source + 1) if ws else 0
    toks = [w.text for w in words]
    starts, ends = _compound_marks(words)
    return Reading(
        text="\n".join(sentences),
        whole=whole,
        words=words,
        sentence=sentence,
        senses=[_sense(i, words, toks, sentence) for i in range(len(words))],
        compound_start=starts,
        compound_end=ends,
    )


def _agrees(raw: str, key: str) -> bool:
    return not raw or not vntext.has_diacritics(raw) or vntext.accent_key(raw) == key


def _compound_marks(words: list[vntext.Word]) -> tuple[list[bool], list[bool]]:
    n = len(words)
    starts, ends = [False] * n, [False] * n
    for i in range(n - 1):
        keys = _COMPOUND_KEYS.get((words[i].text, words[i + 1].text))
        if keys is None or words[i + 1].brk:
            continue
        if _agrees(words[i].raw, keys[0]) and _agrees(words[i + 1].raw, keys[1]):
            ends[i] = True
            starts[i + 1] = True
    return starts, ends


def _sense(i: int, words: list[vntext.Word], toks: list[str], sentence: list[int]) -> str | None:
    tok = toks[i]
    keys = _SENSE_KEYS.get(tok)
    if keys is None:
        return None
    raw = words[i].raw
    if raw and vntext.has_diacritics(raw):
        return keys.get(sense_key(raw))
    if tok == "bi":
        return _bi_sense(i, toks)
    # Unaccented: the sense whose context words are nearest, in the same sentence first.
    near = range(max(0, i - _WINDOW), min(len(toks), i + _WINDOW + 1))
    for scope in (
        [j for j in near if sentence[j] == sentence[i]],
        [j for j in range(len(toks)) if j != i],
    ):
        best: tuple[int, str] | None = None
        for sense, cues in _CONTEXT_TOKENS[tok].items():
            for j in scope:
                for cue in cues:
                    # A cue may hold the syllable itself ("ban dam"), not be it alone.
                    if j == i or tuple(toks[j : j + len(cue)]) != cue:
                        continue
                    dist = abs(j - i)
                    if best is None or dist < best[0]:
                        best = (dist, sense)
        if best is not None:
            return best[1]
    return None


def _bi_sense(i: int, toks: list[str]) -> str | None:
    """``bi`` is nearly always bị; bí only inside the few words that need it."""
    nxt = toks[i + 1] if i + 1 < len(toks) else ""
    prev = toks[i - 1] if i else ""
    if nxt in ("thu", "an", "quyet", "do", "ngo", "tich"):
        return "bí"
    if nxt == "mat" and prev in ("giu", "tuyet", "bao", "danh", "phai"):
        return "bí"  # giữ bí mật danh tính; "bị mất" otherwise
    return "bị"
