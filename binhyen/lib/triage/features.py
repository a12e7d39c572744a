"""From a message to what the rules and the linear model look at.

``analyse()`` folds the text once, tokenises it, matches the lexicons and resolves the place;
``ngram_counts()`` and ``cue_features()`` turn that into the two feature families of the model:

* TF-IDF over character n-grams (2–5, on folded text, so typos and missing accents still
  share most n-grams) and word uni/bi-grams;
* binary cue features: lexicon groups, negated groups, conjunctions that encode the labelling
  rules (now + danger, past report + complaint, spam wording without a report...), and a few
  surface features (question mark, length, capitals, emoji, a resolved place).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from binhyen.lib import vntext
from binhyen.lib.gazetteer import Gazetteer, Resolution
from binhyen.lib.triage.lexicon import NEGATIONS, NEGATIONS_ACCENTED, PHRASE_ACCENTS, Hit, match
from binhyen.lib.triage.reading import Reading, read, sense_key

CHAR_NGRAMS = (2, 5)

_CHILD_AGE = re.compile(r"\b(\d{1,2}) tuoi\b")
_TRANSFER = re.compile(
    r"\b(chuyen|nap|mat|chuyen khoan|gop|coc|dat coc|dau tu|bo ra) (het |them |vao )?\d+ "
    r"(trieu|nghin|ty|tr)\b"
)
# Something found and kept by the finder ("người nhặt được đòi 2 triệu mới trả"): theft, even
# when the finder asks for money to give it back (losing it alone is a question's wording).
_FOUND = re.compile(r"\b(nhat duoc|luom duoc|nguoi nhat)\b")
# Someone posing as a worker or an official: fraud when money is asked, casing when they only
# look over or photograph houses (labelling conventions, issue 11 round 5).
_IMPERSONATE = re.compile(
    r"\b(gia lam|gia danh|mao danh|tu xung|xung la|gia nhan vien|gia can bo|gia dang)\b"
)
_MONEY = re.compile(
    r"(?<!khong )(?<!chua )\b(tien|trieu|nghin|chuyen khoan|nop|phi|ban|otp|link|tai khoan|"
    r"cai app|thu)\b"
)
# A missing person who is vulnerable (elderly, confused) is critical (convention).
_ELDER = re.compile(
    r"\b([6-9]\d) tuoi\b|\b(cu ong|cu ba|ong cu|ba cu|nguoi gia|bi lan|lu lan|lang tri)\b"
)
# Where a missing person was last seen: near water it is a search in the water (a rescue).
_WATER = re.compile(
    r"\b(bo|ra|tam|mep|ven|duoi|xuong|lan) (song|suoi|ho|ao|bien|dap|nuoc)\b"
    r"|\b(doi dep|chiec dep|dap tran|ngam tran)\b"
)
# A clause ending with a question particle ("... được không", "... chưa ad", "... z").
_QUESTION_ENDING = re.compile(
    r"\b(khong|ko|k|kg|hok|chua|ha|nhi|sao|gi|j|nao|dau|vay|z|ad)\s*(?:[.?!;\n]|$)"
)
_INTEREST_RATE = re.compile(r"\blai (suat )?\d+ (phan tram )?(mot |moi |1 )?(thang|ngay|tuan)\b")
# "4 ngày nay", "mấy hôm nay": something the sender has been seeing, still going on.
_FOR_DAYS = re.compile(r"\b(\d+|may|hai|ba|bon|nam) (ngay|hom|dem|tuan|thang) nay\b")
# A pasted warning opens with its banner ("CẢNH BÁO:", "Lưu ý", "Tin từ nhóm phụ huynh").
_OPENS_WITH_WARNING = re.compile(r"(canh bao|luu y|chu y|tin tu|thong bao|tin nong)\b")
# Addressed to the public: the voice of a warning, not of a report.
_PUBLIC = re.compile(r"\b(moi nguoi|nguoi dan|ba con|phu huynh|cac me|ca nha|cac ban)\b")
_OPENS_WITH_REQUEST = re.compile(r"(de nghi|kien nghi|gop y)\b")
# Feedback opens with thanks or a suggestion; a tip ends with thanks ("..., em cảm ơn").
_OPENS_WITH_THANKS = re.compile(
    r"(xin |em |toi |chung toi |chan thanh |gia dinh (toi |em )?)?(cam on|gui loi cam on)\b"
)
_OPENS_WITH_SUGGESTION = re.compile(
    r"((ad|admin|cong an) oi )?((toi|em|chung toi) )?(nen|mong|de nghi|kien nghi|gop y)\b"
)
# "chị Hằng ơi ...": a message meant for someone else (misdirected), not for the police.
_KIN = {"anh", "chi", "em", "co", "chu", "bac", "c", "a", "e", "ong", "ba", "me", "di", "cau"}
_NOT_A_NAME = _KIN | {"ad", "admin", "oi", "cong", "cs", "ca", "moi", "cac", "ban", "ae"}
_SYMBOL = re.compile("[\u2500-\U0010ffff]")  # emoji, pictographs
_LENGTH_BUCKETS = ((0, "0"), (2, "1-2"), (5, "3-5"), (10, "6-10"), (20, "11-20"), (40, "21-40"))


# Words of the domestic/child lexicon that say who the people are, not what was done to them:
# with no act of abuse, neglect or trafficking beside them, another category's act decides
# ("chồng tôi đi rẫy chưa về" is a missing person, "bé 4 tuổi bị xe lùi trúng" a crash).
_RELATIONS = (
    "chồng em|chồng tôi|chồng chị|ông chồng|vợ con|mẹ ruột|cha ruột|thầy giáo|con riêng|"
    "bố dượng|mẹ kế|đứa con|thằng con|các cháu|nhóm trẻ|trẻ mầm non|mầm non|các em gái|"
    "em gái người|bé gái người"
)
_RELATION_WORDS = frozenset(_RELATIONS.split("|"))


@dataclass
class Analysis:
    text: str
    folded: str
    tokens: list[str]
    hits: list[Hit]
    place: Resolution
    model_tokens: list[str] = field(default_factory=list)  # tokens with senses marked
    _phrases: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _negated: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if not self.model_tokens:
            self.model_tokens = self.tokens
        for h in self.hits:
            if h.negated:
                self._negated.add(h.group)
            else:
                found = self._phrases.setdefault(h.group, [])
                if h.phrase not in found:
                    found.append(h.phrase)

    def group_order(self) -> list[str]:
        """Groups hit (not negated), in the order of their first hit in the message."""
        return list(self._phrases)

    def groups(self, negated: bool = False) -> set[str]:
        """Lexicon groups hit (not negated), or only negated."""
        return self._negated - self._phrases.keys() if negated else set(self._phrases)

    def phrases(self, group: str) -> list[str]:
        """Phrases of a group found in the message, in order, without repeats."""
        return self._phrases.get(group, [])


def analyse(text: str, gazetteer: Gazetteer) -> Analysis:
    """Read the citizen's words (``reading.read``), match the lexicons sentence by sentence,
    resolve the place on the whole text (the form's "Địa bàn" line names it too)."""
    r = read(text)
    toks = r.tokens
    return Analysis(
        text=r.text,
        folded=" ".join(toks),
        tokens=toks,
        hits=sentence_hits(r),
        # The gazetteer reads the whole text (the form's "Địa bàn" line names the place too);
        # without a form block the reading's words are the text's words, normalised once.
        place=gazetteer.resolve(text, words=r.words) if r.whole else gazetteer.resolve(text),
        model_tokens=r.model_tokens(),
    )


def sentence_hits(r: Reading) -> list[Hit]:
    """Lexicon hits inside one sentence each, not cut through a compound word, and whose
    words agree with what the citizen typed (accents) or meant (the sense from context)."""
    toks = r.tokens
    hits: list[Hit] = []
    start = 0
    n = len(toks)
    while start < n:
        end = start
        while end < n and r.sentence[end] == r.sentence[start]:
            end += 1
        for h in match(toks[start:end], start):
            if h.phrase == "vừa" and _both_and(h.start, toks, start, end):
                continue  # "vừa chạy vừa xem điện thoại" is "both … and", not "just"
            if _fits(h, r):
                if h.negated and not _negated_in_clause(h.start, r):
                    h = h._replace(negated=False)
                hits.append(h)
        start = end
    return _since_not_past(hits)


def _since_not_past(hits: list[Hit]) -> list[Hit]:
    """ "bị nhốt từ tối qua" is a state that still holds, not a past event: a past-time cue
    inside an ``urg:since`` phrase ("từ tối qua" holds "tối qua") is dropped. Likewise the
    "now" of ``đang`` inside an ``urg:state`` phrase ("cây đang ra hoa", "đang chuẩn bị đám
    hỏi"): a state that lasts is not something in progress (labelling convention)."""
    for inner, outer in (("urg:past", "urg:since"), ("urg:now", "urg:state")):
        spans = [(h.start, h.start + len(h.phrase.split())) for h in hits if h.group == outer]
        if spans:
            hits = [
                h
                for h in hits
                if h.group != inner or not any(lo <= h.start < hi for lo, hi in spans)
            ]
    return hits


def _both_and(i: int, toks: list[str], lo: int, hi: int) -> bool:
    """``vừa`` of "vừa X vừa Y" (a second ``vua`` within four tokens, same sentence)."""
    return any(toks[j] == "vua" for j in range(max(lo, i - 4), min(hi, i + 5)) if j != i)


def _negated_in_clause(i: int, r: Reading) -> bool:
    """The negation word before a hit belongs to the same clause: "có ai biết số xe không,
    nó vừa tông bà cụ" does not negate "vừa" (a comma stands between them)."""
    w = r.words
    if i >= 1 and _negation(w[i - 1]) and not w[i].brk:
        return True
    return i >= 2 and _negation(w[i - 2]) and not (w[i - 1].brk or w[i].brk)


def _negation(w: vntext.Word) -> bool:
    """A negation word, unless its accents say otherwise ("chữa cháy mới tới": not "chưa")."""
    if w.text not in NEGATIONS:
        return False
    return not (w.raw and vntext.has_diacritics(w.raw)) or w.raw in NEGATIONS_ACCENTED


def _fits(hit: Hit, r: Reading) -> bool:
    keys = PHRASE_ACCENTS.get(hit.phrase)
    if keys is None:
        return True
    last = hit.start + len(keys) - 1
    if r.compound_start[hit.start] or r.compound_end[last]:
        return False  # "chuẩn bị | đánh nhau" holds no "bị đánh"
    if any(r.words[i].brk for i in range(hit.start + 1, last + 1)):
        return False  # "tìm chưa thấy, có người…" holds no "thấy có"
    written = hit.phrase.split()
    for k, key in enumerate(keys):
        i = hit.start + k
        sense = r.senses[i]
        if sense is not None:
            # An ambiguous syllable, typed with accents or read from context: "chảy" is not
            # "cháy", and "bi dam o cho, chay mau" is đâm, not "dâm ô".
            if sense_key(sense) != sense_key(written[k]):
                return False
            continue
        raw = r.words[i].raw
        if raw and vntext.has_diacritics(raw) and vntext.accent_key(raw) != key:
            return False  # "đăng video" is not "đang"
    return True


def token_char_grams(token: str) -> list[str]:
    """Character n-grams of one folded token padded with spaces (like sklearn's char_wb).

    Per-token n-grams let the model cache a token's feature ids: messages share most tokens,
    so vectorising a message costs one dictionary look-up per token."""
    s = f" {token} "
    lo, hi = CHAR_NGRAMS
    return [s[i : i + n] for n in range(lo, min(hi, len(s)) + 1) for i in range(len(s) - n + 1)]


def word_grams(toks: list[str]) -> list[str]:
    """Word unigrams and bigrams of the folded tokens (repeats kept)."""
    return [*toks, *map(" ".join, pairwise(toks))]


def ngram_counts(a: Analysis) -> Counter[str]:
    """Counts of prefixed n-grams ("c:" characters, "w:" words): the TF part of TF-IDF."""
    out: Counter[str] = Counter("c:" + g for t in a.model_tokens for g in token_char_grams(t))
    out.update("w:" + g for g in word_grams(a.model_tokens))
    return out


def cue_features(a: Analysis) -> list[str]:
    """Binary cue features (lexicon groups, rule conjunctions, surface features)."""
    pos = a.groups()
    neg = a.groups(negated=True)
    feats = [f"L:{g}" for g in pos]  # order does not matter: these are columns
    feats += [f"N:{g}" for g in neg]

    now = "urg:now" in pos or "urg:just" in pos
    danger = "urg:danger" in pos
    calm = "urg:calm" in pos
    past = "urg:past" in pos or "urg:recurring" in pos
    help_ = "urg:help" in pos
    feats.append(
        "U:"
        + ("now" if now else "-")
        + ("+danger" if danger else "")
        + ("+past" if past else "")
        + ("+help" if help_ else "")
        + ("+calm" if calm else "")
    )
    if danger and not calm:
        feats.append("U:danger-calm")
    when = "now" if now else ("past" if past else "none")
    feats += [f"UC:{when}:{g[4:]}" for g in pos if g.startswith("cat:")]

    ask = "int:ask" in pos or "?" in a.text
    procedure = "int:procedure" in pos
    report = "int:report" in pos
    cats = [g for g in pos if g.startswith("cat:")]
    if ask and procedure:
        feats.append("I:ask+procedure")
    if ask and "int:legal" in pos:
        feats.append("I:ask+legal")
    if "int:lost" in pos and procedure:
        feats.append("I:lost+procedure")
    if "cat:theft_robbery" in pos and ("int:lost" in pos or procedure):
        feats.append("I:stolen+documents")  # stolen documents are a tip, lost ones a question
    if cats and ("urg:past" in pos or "urg:just" in pos) and ask:
        feats.append("I:incident+ask")  # "bị lừa hôm qua, làm sao lấy lại?" stays a tip
    if "int:past_report" in pos and "int:complaint" in pos:
        feats.append("I:past_report+complaint")
    if "int:praise" in pos and not cats:
        feats.append("I:praise-crime")
    if "int:praise" in pos and cats:
        feats.append("I:praise+crime")
    if "int:strong_praise" in pos and cats:
        feats.append("I:strong_praise+crime")  # "khen các chiến sĩ đã cứu 2 cháu đuối nước"
    if a.tokens[:1] in (["de"], ["kien"], ["gop"]) and _OPENS_WITH_REQUEST.match(a.folded):
        feats.append("I:opens_with_request")  # "Đề nghị công an lắp thêm camera..."
        if "int:suggest" in pos:
            feats.append("I:request+suggestion")
    if _OPENS_WITH_WARNING.match(a.folded):
        feats.append("I:opens_with_warning")
    if _OPENS_WITH_THANKS.match(a.folded):
        feats.append("I:opens_with_thanks")
    if _OPENS_WITH_SUGGESTION.match(a.folded):
        feats.append("I:opens_with_suggestion")
    t = a.tokens
    if len(t) >= 3 and t[0] in _KIN and t[1] not in _NOT_A_NAME and t[2] == "oi":
        feats.append("I:to_named_person")
    if "int:spam" in pos and not report:
        feats.append("I:spam-report")
    if "int:chain" in pos and not a.place.codes:
        feats.append("I:chain-place")
    observed = "int:observed" in pos or bool(_FOR_DAYS.search(a.folded))
    if cats and ask and observed and "int:legal" not in pos:
        feats.append("I:observed+crime+ask")  # a tip phrased as a question
    if cats and ask and not observed and not now:
        feats.append("I:crime+ask-observed")  # "... có bị phạt không" with crime words
    if "int:chain" in pos and not observed:
        feats.append("I:chain-observed")  # a forwarded warning, nothing the sender saw
    if "int:spam" in pos and not observed and not report:
        feats.append("I:spam-observed")  # a pasted advert
    if (
        "int:advice" in pos
        and not observed
        and not now
        and "int:past_report" not in pos
        and _PUBLIC.search(a.folded)
    ):
        feats.append("I:advice+public-observed")  # "phụ huynh lưu ý: dặn con không …"
    hearsay = "int:hearsay" in pos
    if "int:chain" in pos and hearsay:
        feats.append("I:chain+hearsay")  # "chia sẻ giúp: nghe nói đang có nhóm giả câm…"
    about_police = "int:about_police" in pos
    if about_police and ask and not cats and not procedure:
        feats.append("I:ask+about_police")  # "trang này có phải của công an thật không"
    if about_police and "int:praise" in pos:
        feats.append("I:praise+about_police")  # "clip tuyên truyền của công an xã hay quá"
    if "int:police_action" in pos and ("int:complaint" in pos or ask) and not now:
        feats.append("I:police_action+complaint")  # "bị tạm giữ mà gia đình không được báo"
    if "int:past_report" in pos and "int:police_action" in pos:
        feats.append("I:past_report+police_action")  # "đã báo … công an xuống lập biên bản"
    if cats and past and "int:complaint" in pos and not now:
        feats.append("I:past_crime+complaint")  # "vụ đánh nhau tuần trước … vậy là sao"
    if cats and now:
        feats.append("I:crime+now")
    if cats and ask and not now:
        feats.append("I:crime+ask-now")
    feats.append(f"I:ncats={min(len(cats), 3)}")
    child = "cue:child" in pos
    for m in _CHILD_AGE.finditer(a.folded):
        if int(m.group(1)) < 16:
            feats.append("C:child_age")
            child = True
            break
    if "cue:missing" in pos and "cue:person" in pos:
        feats.append("U:missing+person")  # "cụ ông 80 tuổi đi rẫy chưa về", "bé 5 tuổi đi lạc"
    if "cue:missing" in pos and ("cue:person" in pos or child):
        # A missing child on land is domestic/child (abduction risk); a missing adult or a
        # child last seen by the water is a rescue (labelling conventions, round 5).
        who = "child" if child else "adult"
        feats.append(f"C:missing_{who}" + ("+water" if _WATER.search(a.folded) else ""))
    if child and "cue:missing" in pos and "cat:suspicious" in pos:
        feats.append("C:missing_child+stranger")  # a missing child last seen with strangers
    if danger and "urg:gone" in pos:
        feats.append("U:danger+gone")  # "ném đá vỡ kính rồi rồ ga chạy hướng …"
    if "cue:crash" in pos and now:
        feats.append("U:crash+now")  # "vừa tông bà cụ rồi bỏ chạy"
    since = "urg:since" in pos
    over = "urg:over" in pos
    future = "urg:future" in pos
    if since and (danger or "cue:missing" in pos):
        feats.append("U:since+danger")  # "bị bắt nhốt từ tối qua", "mất tích từ hôm qua"
    if "urg:hazard" in pos and (now or not past) and not over:
        feats.append("U:hazard+now")  # "dây điện đứt rơi xuống đường còn xẹt lửa"
    if over and not since:
        feats.append("U:over" + ("+danger" if danger else ""))  # "cháy cỏ … đã dập xong"
        # Put out or settled the same day is high, on an earlier day normal (convention).
        feats.append("U:over+past" if "urg:past" in pos else "U:over+today")
    if "urg:state" in pos and not now and not danger:
        feats.append("U:state")  # "cần sa đang ra hoa", "đang chuẩn bị đám cưới"
    held = "urg:held" in pos or "nhot" in a.tokens
    if held and "urg:no_violence" in pos:
        feats.append("U:held-violence")  # "giữ … không cho về … chưa thấy đánh đập gì"
    weapon = "urg:weapon" in pos
    if weapon and not past and "cue:trade" not in pos and "urg:gone" not in pos:
        feats.append("U:weapon+now")  # "có đứa cầm gậy nhưng chưa đánh ai": critical
    if "cue:missing" in pos and (child or _ELDER.search(a.folded) or _WATER.search(a.folded)):
        feats.append("U:missing+vulnerable")  # "ông 78 tuổi bị lẫn … tới giờ chưa về"
    if "urg:kill_threat" in pos and (future or past):
        feats.append("U:kill_threat+later")  # "mai tao xuống chém chết", "nói … thì giết"
    if future and not now:
        feats.append("U:future-now")  # "ép cưới, đám hỏi tuần sau"
    if future and danger:
        feats.append("U:danger+future")  # "nếu mai không trả thì đốt nhà": a deadline
    if danger and "cue:trade" in pos:
        feats.append("U:danger+trade")  # "chợ phiên có người rao bán súng kíp, mã tấu"
    if "urg:kill_threat" in pos:
        feats.append("U:kill_threat")  # "nhắn tin: mai tao xuống chém chết cả nhà mày"
    if "urg:near_miss" in pos and danger:
        feats.append("U:danger+near_miss")  # "rơi đá xuống đường suýt trúng người"
    if "cue:crash" in pos and "cue:burning" in pos:
        feats.append("C:crash+fire")
    if "cue:timber" in pos and ("cat:traffic" in pos or "cue:vehicle" in pos):
        feats.append("C:timber+vehicle")

    n = len(a.tokens)
    for limit, name in _LENGTH_BUCKETS:
        if n <= limit:
            feats.append(f"R:len={name}")
            break
    else:
        feats.append("R:len=41+")
    if "?" in a.text:
        feats.append("R:qmark")
    if "!" in a.text:
        feats.append("R:excl")
    upper = sum(map(str.isupper, a.text))
    if upper >= 12 and upper > 0.6 * sum(map(str.isalpha, a.text)):
        feats.append("R:caps")
    if _SYMBOL.search(a.text):
        feats.append("R:symbol")
    if not vntext.has_diacritics(a.text):
        feats.append("R:noaccent")
    if a.place.codes:
        feats.append("P:one" if len(a.place.codes) == 1 else "P:many")
    else:
        feats.append("P:none")
    if _INTEREST_RATE.search(a.folded):
        feats.append("C:interest_rate")  # "lãi 10%/tháng", "lãi suất 30 phần trăm một tháng"
    if ask and "int:unrelated" in pos and not report:
        feats.append("I:ask+unrelated")  # "cầu tràn còn ngập không", "số điện lực"
    if _TRANSFER.search(a.folded):
        feats.append("C:money_amount")
    if _FOUND.search(a.folded):
        feats.append("C:found_item")  # a found phone kept for ransom is theft, not fraud
    if _IMPERSONATE.search(a.folded):
        money = bool(_MONEY.search(a.folded))
        casing = "cat:suspicious" in pos
        feats.append(
            "C:impersonate" + ("+money" if money else "-money") + ("+casing" if casing else "")
        )
    plain = a.text.lower() if a.text.isascii() else vntext.strip_accents(a.text)
    if _QUESTION_ENDING.search(plain):
        feats.append("R:question_ending")
    if len(a.phrases("int:spam")) >= 3:
        feats.append("I:spam3")
    acts = [p for p in a.phrases("cat:domestic_child") if p not in _RELATION_WORDS]
    elsewhere = [g for g in cats if g != "cat:domestic_child"]
    if (child or "cue:person" in pos or "cat:domestic_child" in pos) and elsewhere and not acts:
        feats += [f"C:victim+{g[4:]}-abuse" for g in elsewhere]
    if child:
        # A child is the victim of many kinds of event: what happened decides ("bé 6 tuổi té
        # ao" is a rescue, "bé 7 tuổi bị xe máy tông" traffic, "bố dượng đánh bé" abuse).
        feats += [f"C:child+{g[4:]}" for g in cats]
    return feats
