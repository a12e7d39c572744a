"""Ranking procedures for a citizen's question, and knowing when there is no answer.

Every text is folded first (``vntext.fold``: no diacritics, teencode expanded), then rewritten
with a small table of citizens' words for the same thing ("cavet" → "giay dang ky xe",
"passport" → "ho chieu", "nhap khau" → "dang ky thuong tru"). Each entry is represented by
several documents: its title + synonyms, its summary (+ where it is handled), and each example
question. A question is scored against every document with two TF-IDF spaces (character
2–5-grams within words, robust to typos and missing tones; word 1–2-grams, precise), an entry's
score is the best of its documents plus a share of its whole-entry similarity, and
"out-of-scope" prototypes (power cuts, lottery, marriage registration, land titles, fine
amounts…) compete with the entries, and a small logistic regression trained at build time on
the entries' names and example questions against those prototypes estimates whether the
question is outside the base; that probability combined with the scores decides "no answer"
(``[]``), as does a best entry under the threshold.

Model-free (no Django): ``binhyen.knowledge`` feeds it the database rows. See docs/knowledge.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from binhyen.lib import vntext

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "knowledge"
NONE_SLUG = "__none__"

# Folded phrase → folded canonical phrase. Applied on word boundaries, longest first.
_REWRITES: dict[str, str] = {
    "cavet": "giay dang ky xe",
    "ca vet": "giay dang ky xe",
    "ca ve": "giay dang ky xe",
    "passport": "ho chieu",
    "pass port": "ho chieu",
    "cccd": "can cuoc",
    "can cuoc cong dan": "can cuoc",
    "cmnd": "chung minh nhan dan",
    "cmt": "chung minh nhan dan",
    "chung minh thu": "chung minh nhan dan",
    "bang lai": "giay phep lai xe",
    "bang lai xe": "giay phep lai xe",
    "bang xe": "giay phep lai xe",
    "pccc": "phong chay chua chay",
    "nhap khau": "dang ky thuong tru",
    "nhap ho khau": "dang ky thuong tru",
    "chuyen ho khau": "dang ky thuong tru",
    "chuyen khau": "dang ky thuong tru",
    "cat khau": "xoa dang ky thuong tru",
    "xoa ho khau": "xoa dang ky thuong tru",
    "xoa ten ho khau": "xoa dang ky thuong tru",
    "xoa ten trong ho khau": "xoa dang ky thuong tru",
    "lltp": "ly lich tu phap",
    "dinh danh dien tu": "vneid",
    "vn eid": "vneid",
    "tham duyet": "tham dinh thiet ke",
    "ct07": "xac nhan thong tin cu tru",
    "ct 07": "xac nhan thong tin cu tru",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "ma tuy": "ma tuy toi pham",
    "the pet": "doi giay phep lai xe",
    "phat nguoi": "phat nguoi hinh anh",
    "xe dien": "xe may dien xe dap dien",
}


@lru_cache(maxsize=1)
def _rewrite_re() -> re.Pattern[str]:
    keys = sorted(_REWRITES, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b")


# Politeness, particles and pronouns carry no topic; left in, "... vay ad" matches whichever
# example question happened to end the same way.
_FILLERS = re.compile(
    r"\b(?:cho (?:em |minh |toi )?hoi|xin hoi|moi nguoi|ad oi|vay|a|ad|ah|ak|nhe|nha|oi|"
    r"em|e|anh|chi|minh|toi|tui|ban|admin|the a)\b"
)


# Abbreviations of document names citizens type (folded, letters only). Being all consonants
# they can never be a Vietnamese syllable, so a consonant-only token one typo away from one of
# them, or a run of consonant-only tokens spelling one with a stray space ("llt p", "cc cd"),
# is that abbreviation.
ABBREVIATIONS = frozenset(
    ("cccd", "cmnd", "cmt", "lltp", "gplx", "blx", "pccc", "bhyt", "bhxh", "csgt", "cskv", "tngt")
)
_TOKEN = re.compile(r"[a-z0-9]+")
_VOWELS = frozenset("aeiouy")


def _consonants_only(tok: str) -> bool:
    return tok.isalpha() and tok.isascii() and not (_VOWELS & set(tok))


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=4096)
def _abbreviation(tok: str) -> str | None:
    """The abbreviation a consonant-only token misspells, if exactly one is one edit away.
    Tokens the teencode table knows ("ntn", "sdt", "tks") are left to it."""
    if len(tok) < 3 or tok in ABBREVIATIONS or not _consonants_only(tok):
        return None
    if vntext.fold(tok) != tok:
        return None
    near = [a for a in ABBREVIATIONS if len(a) >= 4 and _one_edit(tok, a)]
    return near[0] if len(near) == 1 else None


def fix_abbreviations(text: str) -> str:
    """Accent-free lower-case text with split ("llt p") and misspelt ("lltpp", "cmdn")
    document abbreviations restored, before teencode expansion reads "p" as "phường"."""
    low = vntext.strip_accents(text)
    toks = list(_TOKEN.finditer(low))
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(toks):
        m = toks[i]
        done = False
        if _consonants_only(m.group()):
            # the longest run of consonant-only tokens, separated by spaces only, spelling one
            for j in range(min(len(toks) - 1, i + 3), i, -1):
                run = toks[i : j + 1]
                if not all(_consonants_only(t.group()) for t in run):
                    continue
                if any(low[a.end() : b.start()].strip() for a, b in pairwise(run)):
                    continue
                joined = "".join(t.group() for t in run)
                if joined in ABBREVIATIONS:
                    out.append(low[pos : m.start()] + joined)
                    pos = run[-1].end()
                    i = j + 1
                    done = True
                    break
            if not done:
                fixed = _abbreviation(m.group())
                if fixed is not None:
                    out.append(low[pos : m.start()] + fixed)
                    pos = m.end()
        if not done:
            i += 1
    out.append(low[pos:])
    # "dk tt" is "đăng ký thường trú" or "tạm trú" (teencode alone would read "được thị trấn")
    return _DK_TT.sub("dang ky thuong tru tam tru", "".join(out))


_DK_TT = re.compile(r"\b(?:dk|dky|dki|dang ky) ?tt\b")


# "bằng B2", "bằng hạng A1": a driving licence class ("b2" folds to "b 2").
_LICENCE_CLASS = re.compile(r"\bbang (?:hang )?([abcdf])(?: ([1-4]))?\b")


# Local place names carry no topic; left in, a question from "xa Ea Tul" matched an unrelated
# example or negative from the same commune (round 5). "Ea" and "Krông" start Ede place names
# only; the province and its capital are named in many questions.
_PLACES = re.compile(r"\b(?:(?:ea|krong) [a-z]+|buon ma thuot|bmt|dak lak|dak nong)\b")


def normalize(text: str) -> str:
    """Folded text with citizens' synonyms rewritten to the catalogue's words."""
    folded = vntext.fold(fix_abbreviations(text))
    folded = _LICENCE_CLASS.sub(
        lambda m: "giay phep lai xe hang " + m.group(1) + (m.group(2) or ""), folded
    )
    folded = _rewrite_re().sub(lambda m: _REWRITES[m.group(1)], folded)
    folded = _PLACES.sub(" ", folded)
    return " ".join(_FILLERS.sub(" ", folded).split())


_AGE = re.compile(r"\b(\d{1,3}) (?:tuoi|t)\b")
_NEWBORN = re.compile(r"\b(?:so sinh|moi sinh|moi de|\d{1,2} thang tuoi)\b")


def question_age(folded: str) -> int | None:
    """The age a question is about ("con 13 tuoi", "be so sinh"), if it says one."""
    if _NEWBORN.search(folded):
        return 0
    m = _AGE.search(folded)
    return int(m.group(1)) if m else None


# A question about how much a fine is ("phạt bao nhiêu", "mức phạt", "phạt mấy triệu") asks
# for a penalty amount, which no entry states (amounts are set by decree and change), unless it
# also asks for a procedure: paying a fine, looking one up, getting a document back, where or
# how to do something.
_PENALTY = re.compile(
    r"\bmuc (?:xu )?phat\b"
    r"|\bphat(?: \w+){0,2} (?:bao nhieu|may trieu|may tram|may nghin|may chuc|nhieu tien"
    r"|nang khong)\b"
    r"|\b(?:bao nhieu|may trieu|may tram) tien phat\b"
)
_PROCEDURE_ASKED = re.compile(
    r"\b(?:nop phat|dong phat|nop tien phat|phat nguoi|tra cuu|thu tuc|ho so|giay to gi"
    r"|can gi|can mang|lam lai|cap lai|lam sao|lam the nao|o dau|khieu nai|lay lai)\b"
)


def asks_penalty_only(folded: str) -> bool:
    """True for a fine-amount question that asks for no procedure (normalised text)."""
    return bool(_PENALTY.search(folded)) and not _PROCEDURE_ASKED.search(folded)


@dataclass
class Entry:
    """One searchable procedure (or an out-of-scope prototype when slug is NONE_SLUG)."""

    slug: str
    title: str
    summary: str = ""
    synonyms: Sequence[str] = ()
    examples: Sequence[str] = ()
    ages: tuple[int, int] | None = None  # [from, to) years, for age-dependent procedures
    # Words naming the document or thing the entry is about (căn cước, hộ chiếu, xe…): when a
    # question names some entries' topics but not this one's, the entry loses; the age
    # favours the entry only when the question names its topic (a 14-year-old's căn cước is
    # not a passport question). Empty: the entry takes no part in either rule.
    topics: Sequence[str] = ()


@dataclass
class Params:
    char_weight: float = 0.5  # the rest goes to word n-grams
    entry_weight: float = 0.35  # share of the whole-entry similarity in an entry's score
    threshold: float = 0.16  # best entry score under this: no answer
    max_results: int = 3
    age_match: float = 1.3  # factor on an age-dependent entry when the question's age fits
    age_mismatch: float = 0.6  # ... and when it does not
    topic_mismatch: float = 0.6  # factor when the question names other entries' topics only
    # "No answer" when  p + none_gap × (best prototype − best entry) − none_best × best entry
    # reaches none_cut, p being the out-of-base classifier's probability: the classifier alone
    # and the scores alone overlap; together they separate (bench/knowledge_cv.py).
    none_gap: float = 1.0
    none_best: float = 2.0
    none_cut: float = -0.1
    none_c: float = 4.0  # the classifier's inverse regularisation
    # Added to that sum when the question names a thing no entry handles (sổ đỏ, quốc tịch,
    # tạm giam, tòa án, khai sinh, thuế, ngân hàng, visa…) and nothing an entry handles
    # (round 5; ``Scope``).
    none_scope: float = 0.3


@dataclass(frozen=True)
class Scope:
    """Words for the scope rule: ``outside`` name things no entry handles; ``inside`` name
    things entries handle beyond the entries' topics (which count as inside too). A question
    naming an outside word and no inside word leans towards "no answer" (``none_scope``)."""

    outside: Sequence[str] = ()
    inside: Sequence[str] = ()


def _words_re(words: Iterable[str]) -> re.Pattern[str] | None:
    folded = sorted({w for w in (normalize(x) for x in words) if w}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in folded) + r")\b")


@dataclass
class Hit:
    slug: str
    score: float


@dataclass
class Index:
    entries: list[Entry]
    params: Params
    _char: TfidfVectorizer = field(repr=False, default_factory=TfidfVectorizer)
    _word: TfidfVectorizer = field(repr=False, default_factory=TfidfVectorizer)
    _doc_char: sparse.csr_matrix | None = field(repr=False, default=None)
    _doc_word: sparse.csr_matrix | None = field(repr=False, default=None)
    _doc_entry: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=int))
    _ent_char: sparse.csr_matrix | None = field(repr=False, default=None)
    _ent_word: sparse.csr_matrix | None = field(repr=False, default=None)
    _none_clf: LogisticRegression | None = field(repr=False, default=None)
    _is_none: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=bool))
    # every topic phrase, longest first (a phrase inside a longer one is not named: the "xe"
    # of "giay phep lai xe"), and the entries each phrase belongs to
    _topic_re: re.Pattern[str] | None = field(repr=False, default=None)
    _topic_owners: dict[str, frozenset[int]] = field(repr=False, default_factory=dict)
    _ruled: list[int] = field(repr=False, default_factory=list)  # entries with ages or topics
    _outside_re: re.Pattern[str] | None = field(repr=False, default=None)
    _inside_re: re.Pattern[str] | None = field(repr=False, default=None)

    @classmethod
    def build(
        cls, entries: Iterable[Entry], params: Params | None = None, scope: Scope | None = None
    ) -> Index:
        """``scope`` defaults to the shipped words (``shipped_scope``); ``Scope()`` turns the
        scope rule off."""
        ents = list(entries)
        scope = shipped_scope() if scope is None else scope
        docs: list[str] = []
        owner: list[int] = []
        whole: list[str] = []
        prose: list[bool] = []  # a summary, unlike the short questions and names around it
        for i, e in enumerate(ents):
            # the title with the synonyms, and each synonym alone (a long list would dilute
            # a short question that matches one name)
            parts = [normalize(" ".join([e.title, *e.synonyms]))]
            parts.extend(normalize(x) for x in e.synonyms)
            kinds = [False] * len(parts)
            if e.summary:
                parts.append(normalize(e.summary))
                kinds.append(True)
            parts.extend(normalize(x) for x in e.examples)
            kinds.extend(False for _ in e.examples)
            for p, k in zip(parts, kinds, strict=True):
                docs.append(p)
                owner.append(i)
                prose.append(k)
            whole.append(" ".join(parts))
        char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        word = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=r"[a-z0-9]+",  # noqa: S106 (not a password)
            dtype=np.float32,
        )
        # one pass over the texts: fitted and transformed together, then split
        all_char = char.fit_transform(docs + whole).tocsr()
        all_word = word.fit_transform(docs + whole).tocsr()
        index = cls(entries=ents, params=params or Params(), _char=char, _word=word)
        n = len(docs)
        index._doc_char = all_char[:n]
        index._doc_word = all_word[:n]
        index._doc_entry = np.asarray(owner, dtype=np.int64)
        index._ent_char = all_char[n:]
        index._ent_word = all_word[n:]
        index._is_none = np.asarray([e.slug == NONE_SLUG for e in ents], dtype=bool)
        owners: dict[str, set[int]] = {}
        for i, e in enumerate(ents):
            for t in e.topics:
                owners.setdefault(normalize(t), set()).add(i)
        owners.pop("", None)
        index._topic_owners = {t: frozenset(o) for t, o in owners.items()}
        index._topic_re = _words_re(owners)
        index._ruled = [i for i, e in enumerate(ents) if e.ages is not None or e.topics]
        index._outside_re = _words_re(scope.outside)
        index._inside_re = _words_re([*scope.inside, *(t for e in ents for t in e.topics)])
        is_none = index._is_none[index._doc_entry]
        short = ~np.asarray(prose)
        if is_none.any() and not is_none[short].all():
            # "Is this question out of the base?": the entries' names and example questions
            # are positive examples of "in the base", the out-of-scope prototypes negative
            # ones (summaries are left out: prose, unlike any question, would teach "long").
            clf = LogisticRegression(C=index.params.none_c, class_weight="balanced", max_iter=2000)
            x = sparse.hstack([index._doc_char, index._doc_word]).tocsr()
            clf.fit(x[short], is_none[short])
            index._none_clf = clf
        return index

    def none_probability(self, text: str) -> float:
        """The classifier's probability that the question is outside the base (0 without one)."""
        _q, qc, qw = self._vectors(text)
        return self._none_probability(qc, qw)

    def _none_probability(self, qc: sparse.csr_matrix, qw: sparse.csr_matrix) -> float:
        if self._none_clf is None:
            return 0.0
        # The logistic function of the decision value, without scikit-learn's per-call checks.
        clf = self._none_clf
        n = qc.shape[1]
        coef = clf.coef_[0]
        z = float((qc @ coef[:n])[0]) + float((qw @ coef[n:])[0]) + float(clf.intercept_[0])
        return float(1.0 / (1.0 + np.exp(-z)))

    def _vectors(self, text: str) -> tuple[str, sparse.csr_matrix, sparse.csr_matrix]:
        q = normalize(text)
        return q, self._char.transform([q]), self._word.transform([q])

    def scores(self, text: str) -> np.ndarray:
        """Score of every entry for the question (same order as ``entries``)."""
        return self._scores(*self._vectors(text))

    def _scores(self, q: str, qc: sparse.csr_matrix, qw: sparse.csr_matrix) -> np.ndarray:
        assert self._doc_char is not None and self._doc_word is not None
        assert self._ent_char is not None and self._ent_word is not None
        p = self.params
        doc = (
            p.char_weight * (self._doc_char @ qc.T).toarray().ravel()
            + (1 - p.char_weight) * (self._doc_word @ qw.T).toarray().ravel()
        )
        ent = (
            p.char_weight * (self._ent_char @ qc.T).toarray().ravel()
            + (1 - p.char_weight) * (self._ent_word @ qw.T).toarray().ravel()
        )
        best = np.zeros(len(self.entries), dtype=np.float64)
        np.maximum.at(best, self._doc_entry, doc)
        out: np.ndarray = (1 - p.entry_weight) * best + p.entry_weight * ent
        age = question_age(q)
        named = self._topics_named(q)
        for i in self._ruled:
            e = self.entries[i]
            own = named.get(i)
            if own is False:
                # the question names other entries' documents, not this one's
                out[i] *= p.topic_mismatch
            if e.ages is not None and age is not None:
                if not e.ages[0] <= age < e.ages[1]:
                    out[i] *= p.age_mismatch
                elif own or not e.topics:
                    out[i] *= p.age_match
        return out

    def _topics_named(self, q: str) -> dict[int, bool]:
        """For each entry with topics: True when the question names one of them, False when
        it names only other entries' topics; empty when it names none."""
        if self._topic_re is None:
            return {}
        named: set[int] = set()
        for m in self._topic_re.finditer(q):
            named |= self._topic_owners[m.group()]
        if not named:
            return {}
        return {i: i in named for o in self._topic_owners.values() for i in o}

    def none_score(self, text: str) -> float:
        """How strongly the question reads as outside the base (``>= none_cut``: no answer)."""
        vectors = self._vectors(text)
        return self._none_score(vectors, self._scores(*vectors))

    def _none_score(
        self, vectors: tuple[str, sparse.csr_matrix, sparse.csr_matrix], sc: np.ndarray
    ) -> float:
        is_none = self._is_none
        if self._none_clf is None or is_none.all() or not is_none.any():
            return -np.inf
        p = self.params
        best_real = float(sc[~is_none].max())
        best_none = float(sc[is_none].max())
        return (
            self._none_probability(vectors[1], vectors[2])
            + p.none_gap * (best_none - best_real)
            - p.none_best * best_real
            + (p.none_scope if self.scope_named(vectors[0]) == 1 else 0.0)
        )

    def scope_named(self, q: str) -> int:
        """1 when the normalised question names a thing no entry handles and nothing an
        entry handles, -1 for the reverse, 0 otherwise (``Scope``)."""
        outside = self._outside_re is not None and bool(self._outside_re.search(q))
        inside = self._inside_re is not None and bool(self._inside_re.search(q))
        return int(outside) - int(inside)

    def search(self, text: str, limit: int | None = None) -> list[Hit]:
        """Ranked procedures (never out-of-scope prototypes); [] when there is no answer."""
        if not text.strip():
            return []
        p = self.params
        vectors = self._vectors(text)
        sc = self._scores(*vectors)
        order = np.argsort(-sc, kind="stable")
        best_real = next((i for i in order if self.entries[i].slug != NONE_SLUG), None)
        if best_real is None or sc[best_real] < p.threshold:
            return []
        if asks_penalty_only(vectors[0]):
            return []
        if self._none_score(vectors, sc) >= p.none_cut:
            return []
        hits: list[Hit] = []
        seen: set[str] = set()
        for i in order:
            e = self.entries[i]
            if e.slug == NONE_SLUG or e.slug in seen:
                continue
            seen.add(e.slug)
            hits.append(Hit(e.slug, float(sc[i])))
            if len(hits) >= (limit or p.max_results):
                break
        return hits

    def predict(self, text: str) -> list[str]:
        return [h.slug for h in self.search(text)]


# --- the shipped catalogue files ----------------------------------------------------------


def load_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@lru_cache(maxsize=1)
def synonyms_file() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / "synonyms.json").read_text(encoding="utf-8"))
    return data


# Labelled question sets the shipped search learns from (paraphrases of their entries, and
# out-of-base questions as negatives). A fresh set joins this list only after its figures were
# recorded untouched (docs/knowledge.md). F was the round-3 final set: measured once untouched,
# then tuned on in round 4, like G once scored; H, the round-4 final set, joined in round 5
# after its one untouched measurement. A held-out final set is never listed here.
TUNING_SETS = (
    "procedure-questions-dev.jsonl",
    "questions-fresh-a.jsonl",
    "questions-fresh-b.jsonl",
    "questions-fresh-c.jsonl",
    "questions-fresh-d.jsonl",
    "questions-fresh-e.jsonl",
    "questions-final-f.jsonl",
    "questions-fresh-g.jsonl",
    "questions-final-h.jsonl",
    "questions-fresh-i.jsonl",
)


@lru_cache(maxsize=16)
def _set_examples(name: str) -> dict[str, list[str]]:
    """A labelled set as examples of its first slug ("" collects the out-of-base ones)."""
    out: dict[str, list[str]] = {}
    for row in load_jsonl(DATA_DIR / name):
        slugs = row["slugs"]
        assert isinstance(slugs, list)
        out.setdefault(str(slugs[0]) if slugs else "", []).append(str(row["text"]))
    return out


def dev_examples() -> dict[str, list[str]]:
    """Dev questions as examples of their first slug ("" collects the out-of-base ones)."""
    return _set_examples(TUNING_SETS[0])


def shipped_examples(exclude: Sequence[str] = ()) -> dict[str, list[str]]:
    """Every tuning set's questions by first slug ("": out of base), minus ``exclude``."""
    out: dict[str, list[str]] = {}
    for name in TUNING_SETS:
        if name in exclude:
            continue
        for slug, texts in _set_examples(name).items():
            out.setdefault(slug, []).extend(texts)
    return out


@lru_cache(maxsize=1)
def _out_of_base_file() -> tuple[str, ...]:
    return tuple(str(r["text"]) for r in load_jsonl(DATA_DIR / "out-of-base.jsonl"))


def negatives(exclude: Sequence[str] = (), held: Collection[str] = ()) -> list[str]:
    """Questions no entry answers: the out-of-scope topics, the hand-written out-of-base
    questions (traffic fine amounts, land, labour, tax, civil status, schools, chit-chat…)
    and the tuning sets' out-of-base questions."""
    out: list[str] = list(synonyms_file()["out_of_scope"])
    out.extend(_out_of_base_file())
    out.extend(shipped_examples(exclude).get("", []))
    return [t for t in out if t not in held] if held else out


def catalogue() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (DATA_DIR / "procedures.json").read_text(encoding="utf-8")
    )
    return data


EXPANDED_FIELDS = ("audience", "documents", "steps", "fees", "processing_time")
EXPANDED_NOTE = (
    "Đối tượng, giấy tờ, các bước, lệ phí, thời gian giải quyết: soạn từ tóm tắt và căn cứ "
    "pháp lý của danh mục (expansions.json); mục ghi “kiểm tra lại” phải đối chiếu với nguồn "
    "chính thức trước khi duyệt."
)


def expansions() -> dict[str, dict[str, str]]:
    """The catalogue drafts' structured fields (audience, documents, steps, fees, processing
    time) by slug; uncertain facts say "kiểm tra lại", no fee amount is given."""
    data: dict[str, Any] = json.loads((DATA_DIR / "expansions.json").read_text(encoding="utf-8"))
    entries: dict[str, dict[str, str]] = data["entries"]
    return {slug: {f: row.get(f, "") for f in EXPANDED_FIELDS} for slug, row in entries.items()}


def catalogue_entries(exclude: Sequence[str] = (), held: Collection[str] = ()) -> list[Entry]:
    """The shipped catalogue + synonyms + paraphrases + negatives, without a database.

    ``exclude`` names tuning sets to leave out, ``held`` negatives to leave out (to measure
    on them: bench/knowledge_cv.py).
    """
    procs = catalogue()
    extra = synonyms_file()
    examples = shipped_examples(exclude)
    out = [
        Entry(
            slug=p["slug"],
            title=p["title_vi"],
            summary=p["summary_vi"] + " " + p["handled_at_vi"],
            synonyms=extra["synonyms"].get(p["slug"], []),
            examples=examples.get(p["slug"], []),
            ages=tuple(extra["ages"][p["slug"]]) if p["slug"] in extra["ages"] else None,
            topics=topics(p["slug"]),
        )
        for p in procs
    ]
    out.extend(out_of_scope_entries(exclude, held=held))
    return out


def shipped_scope() -> Scope:
    """The scope rule's words of synonyms.json ("scope": "outside", "inside")."""
    words = synonyms_file().get("scope", {})
    return Scope(tuple(words.get("outside", ())), tuple(words.get("inside", ())))


def topics(slug: str) -> tuple[str, ...]:
    """Words naming the document or thing an entry is about (synonyms.json "topics")."""
    return tuple(synonyms_file().get("topics", {}).get(slug, []))


def out_of_scope_entries(
    exclude: Sequence[str] = (), extra: Iterable[str] = (), held: Collection[str] = ()
) -> list[Entry]:
    return [Entry(slug=NONE_SLUG, title=t) for t in [*negatives(exclude, held), *extra]]
