import io
import json
from pathlib import Path

import numpy as np
import pytest

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage import (
    Triager,
    build_default_model,
    cross_validate,
    evaluate,
    load_model,
    predict_jsonl,
    save_model,
    train,
    training,
)
from binhyen.lib.triage.features import analyse
from binhyen.lib.triage.training import (
    CATEGORIES,
    SEED_DIR,
    expected_default_version,
    seed_examples,
)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def triager(gaz: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> Triager:
    # No artifact at the configured path: Triager.load() trains from the shipped seed files.
    missing = tmp_path_factory.mktemp("model") / "none.npz"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BINHYEN_TRIAGE_MODEL", str(missing))
        return Triager.load(gazetteer=gaz)


@pytest.mark.slow
def test_load_without_an_artifact_trains_the_default_model_from_seed(triager: Triager) -> None:
    assert triager.model_version == expected_default_version()


def test_fight_in_progress_with_weapons_is_critical_public_order(triager: Triager) -> None:
    r = triager.predict("cs oi dang co 2 nhom thanh nien cam dao danh nhau o cho Tan An")
    assert (r.intent, r.category, r.urgency, r.place_codes) == (
        "tip", "public_order", "critical", ["24163"],
    )  # fmt: skip


def test_card_games_after_danh_are_gambling_not_a_fight(triager: Triager) -> None:
    r = triager.predict("Nhà ông Ba ở xã Ea Kly đang tổ chức đánh bài ăn tiền, rất đông người")
    assert (r.intent, r.category) == ("tip", "gambling")


def test_beating_a_wife_is_domestic_violence(triager: Triager) -> None:
    r = triager.predict("ông hàng xóm say rượu đang đánh vợ chảy máu đầu, xã Ea Wy")
    assert (r.intent, r.category, r.urgency) == ("tip", "domestic_child", "critical")


def test_crash_where_the_vehicle_catches_fire_is_traffic(triager: Triager) -> None:
    r = triager.predict("ô tô tông trụ điện rồi bốc cháy, tài xế còn kẹt bên trong, xã Ea Wy")
    assert (r.intent, r.category, r.urgency) == ("tip", "traffic", "critical")
    fire = triager.predict("cháy nhà ở xã Ea Wy, lửa bốc cao, còn người bên trong")
    assert fire.category == "fire_rescue"


def test_the_crash_rule_overrides_a_model_that_reads_fire(
    triager: Triager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the statistical part says fire, the labelling rule makes it traffic."""
    model = triager.model
    real = model.probabilities

    def reads_fire(a):  # type: ignore[no-untyped-def]
        probs = real(a)
        probs["intent"] = {"tip": 0.9, "question": 0.05, "feedback": 0.03, "other": 0.02}
        probs["category"] = {
            c: (0.6 if c == "fire_rescue" else 0.4 / 11) for c in probs["category"]
        }
        return probs

    monkeypatch.setattr(model, "probabilities", reads_fire)
    crash = triager.predict("xe tải tông vào nhà dân rồi bốc cháy ở xã Ea Wy")
    assert crash.category == "traffic"
    assert "quy tắc phân loại" in crash.reasons["category"][0]
    fire = triager.predict("nhà dân ở xã Ea Wy bốc cháy, lửa lớn")
    assert fire.category == "fire_rescue"  # no crash: the model's reading stands


def test_accents_the_citizen_typed_are_respected(triager: Triager) -> None:

    gaz = Gazetteer.load()
    posted = analyse("Trang TikTok 24h đăng video nói có xác người trôi sông", gaz)
    assert "urg:now" not in posted.groups()  # "đăng" (posted) is not "đang" (now)
    unaccented = analyse("trang tiktok 24h dang video noi co xac nguoi troi song", gaz)
    assert "urg:now" in unaccented.groups()  # without accents it may be either


def test_capsized_boat_is_rescue_not_a_crash(triager: Triager) -> None:
    r = triager.predict("thuyền đánh cá bị lật ở cửa biển, 1 người chưa tìm thấy, xã An Phú")
    assert (r.intent, r.category, r.urgency) == ("tip", "fire_rescue", "critical")


def test_lost_documents_are_a_question(triager: Triager) -> None:
    r = triager.predict("em bi mat cccd o ben xe, lam lai o dau, co mat phi ko")
    assert (r.intent, r.category, r.urgency) == ("question", None, None)


def test_stolen_documents_are_a_theft_tip(triager: Triager) -> None:
    r = triager.predict("Em vừa bị móc túi trên xe buýt, mất ví có căn cước và 2 triệu")
    assert (r.intent, r.category, r.urgency) == ("tip", "theft_robbery", "high")


def test_legal_question_using_crime_words_is_a_question(triager: Triager) -> None:
    r = triager.predict("Đánh bài ăn tiền ngày Tết với người nhà thì có bị phạt không ạ?")
    assert r.intent == "question"


def test_complaint_about_an_earlier_report_is_feedback(triager: Triager) -> None:
    r = triager.predict("tôi báo vụ mất trộm xe từ tháng trước mà tới giờ chưa ai gọi lại")
    assert r.intent == "feedback"


def test_bare_thanks_and_stickers_are_other(triager: Triager) -> None:
    for text in ["cảm ơn ad", "tks ad", "ok a", "[Sticker]", "👍", "."]:
        assert triager.predict(text).intent == "other", text


def test_spam_loan_ad_is_other(triager: Triager) -> None:
    r = triager.predict("VAY TIỀN NHANH 50 TRIỆU, chỉ cần CCCD, giải ngân 30 phút, LH 09xx")
    assert r.intent == "other"


def test_report_of_loan_flyers_is_a_loan_shark_tip(triager: Triager) -> None:
    text = "Cột điện trong xã Ea Phê dán đầy tờ rơi cho vay nhanh chỉ cần CCCD, nghi tín dụng đen"
    r = triager.predict(text)
    assert (r.intent, r.category) == ("tip", "loan_shark")


def test_forwarded_chain_rumour_is_other(triager: Triager) -> None:
    text = "CHIA SẺ ĐỂ CẢNH GIÁC!!! bọn bắt cóc trẻ em đang hoạt động khắp các tỉnh, share ngay"
    assert triager.predict(text).intent == "other"


def test_tip_ending_with_a_question_stays_a_tip(triager: Triager) -> None:
    text = "Em bị lừa chuyển 40 triệu cho người giả công an hôm qua, em phải làm sao để lấy lại?"
    r = triager.predict(text)
    assert (r.intent, r.category) == ("tip", "fraud")


def test_past_recurring_situation_is_normal_urgency(triager: Triager) -> None:
    r = triager.predict("tối nào cũng có thanh niên tụ tập nẹt pô ở công viên phường Tân Lập")
    assert (r.intent, r.urgency) == ("tip", "normal")


def test_every_field_has_reasons_in_words_and_the_model_version(triager: Triager) -> None:
    r = triager.predict("Cháy lớn ở xưởng gỗ trong cụm công nghiệp Tân An, có người bị kẹt")
    assert (r.category, r.urgency, r.place_codes) == ("fire_rescue", "critical", ["24163"])
    assert set(r.reasons) == {"intent", "category", "urgency", "place"}
    assert any("cháy" in line for line in r.reasons["category"])
    assert r.reasons["intent"][-1].startswith("máy đoán, độ tin cậy ")
    assert r.reasons["intent"][-1].endswith(" %")
    assert not any(r.model_version in line for lines in r.reasons.values() for line in lines)
    assert r.model_version == triager.model_version


def test_predict_jsonl_writes_one_line_per_message_with_integer_codes(triager: Triager) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "trộm xe ở phường Tân Lợi cũ vừa xong"}),
        json.dumps({"id": "a2", "text": "cảm ơn"}),
    ]
    out = io.StringIO()
    assert predict_jsonl(io.StringIO("\n".join(lines) + "\n"), out, triager) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2"]
    assert rows[0]["place_codes"] == [24133]
    assert set(rows[0]) == {"id", "intent", "category", "urgency", "place_codes", "reasons"}


def test_saved_model_loads_back_with_the_same_predictions(
    triager: Triager, gaz: Gazetteer, tmp_path: Path
) -> None:
    path = save_model(triager.model, tmp_path / "triage")
    assert path.with_suffix(".json").exists()
    again = Triager(load_model(path), gaz)
    text = "co thang goi xung la cong an bat chuyen tien vao tai khoan tam giu"
    a, b = triager.predict(text), again.predict(text)
    assert (a.intent, a.category, a.urgency, a.model_version) == (
        b.intent, b.category, b.urgency, b.model_version,
    )  # fmt: skip
    assert a.confidence["intent"] == pytest.approx(b.confidence["intent"], abs=1e-5)


@pytest.mark.slow
def test_training_is_deterministic(gaz: Gazetteer) -> None:
    sample = seed_examples()[::4]
    m1, m2 = train(sample, gazetteer=gaz), train(sample, gazetteer=gaz)
    assert m1.version == m2.version
    assert np.array_equal(m1.heads["category"].coef, m2.heads["category"].coef)


@pytest.mark.slow
def test_model_version_changes_when_the_lexicon_changes(
    gaz: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:

    sample = seed_examples()[:40]
    before = train(sample, gazetteer=gaz).version
    monkeypatch.setattr(training, "_feature_code_digest", lambda: b"another lexicon")
    assert train(sample, gazetteer=gaz).version != before


def test_seed_files_follow_the_labelling_format(gaz: Gazetteer) -> None:
    known = {u.code for u in gaz.units}
    for e in seed_examples():
        assert (e.category is None) == (e.urgency is None) == (e.intent != "tip"), e.id
        assert e.category is None or e.category in CATEGORIES
        assert set(e.place_codes) <= known, e.id


def test_extra_seed_is_written_independently_of_the_dev_set() -> None:
    dev = {e.text for e in seed_examples(("seed-dev.jsonl",))}
    extra = seed_examples(("seed-extra.jsonl",))
    assert len(extra) >= 500
    assert not dev & {e.text for e in extra}
    assert [e.id for e in extra] == [f"s{i:04d}" for i in range(1, len(extra) + 1)]


@pytest.mark.slow
def test_model_trained_on_the_extra_seed_alone_scores_well_on_dev(gaz: Gazetteer) -> None:
    only_extra = Triager(train(seed_examples(("seed-extra.jsonl",)), gazetteer=gaz), gaz)
    acc = evaluate(only_extra, seed_examples(("seed-dev.jsonl",))).accuracy
    assert acc["intent"] >= 0.93
    assert acc["category"] >= 0.88
    assert acc["urgency"] >= 0.84
    assert acc["place_codes"] >= 0.97


@pytest.mark.slow
def test_cross_validated_dev_scores_stay_above_the_floor(gaz: Gazetteer) -> None:
    report = cross_validate(
        seed_examples(("seed-dev.jsonl",)), seed_examples(("seed-extra.jsonl",)), gazetteer=gaz
    )
    acc = report.accuracy
    assert report.n == 300
    assert acc["intent"] >= 0.93
    assert acc["category"] >= 0.88
    assert acc["urgency"] >= 0.82
    assert acc["place_codes"] >= 0.97


def test_seed_dir_ships_both_seed_files() -> None:
    assert (SEED_DIR / "seed-dev.jsonl").exists() and (SEED_DIR / "seed-extra.jsonl").exists()


def test_fast_scoring_matches_the_training_feature_matrix(triager: Triager) -> None:

    model = triager.model
    for text in ["cs oi co trom xe o cho Tan An", "Cảm ơn công an phường Tân Lập", "alo"]:
        a = analyse(text, triager.gazetteer)
        scores = model.scores(a)  # first: it builds the stacked weights lazily
        cols, vals = model.vectorize(a)
        expected = vals @ model._stacked[cols] + model._bias  # type: ignore[index]
        assert np.allclose(scores, expected)


@pytest.mark.slow
def test_default_model_build_saves_weights_and_held_back_scores(tmp_path: Path) -> None:

    model = build_default_model(tmp_path / "model.npz", folds=2)
    meta = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    assert meta["version"] == model.version == expected_default_version()
    assert meta["training_size"] == len(seed_examples())
    assert set(meta["held_back"]) == {"kfold_dev", "extra_only_to_dev"}
    assert meta["held_back"]["extra_only_to_dev"]["intent"] >= 0.9
    loaded = Triager.load(tmp_path / "model.npz")
    assert loaded.model_version == model.version


def test_feedback_opening_with_thanks_or_a_suggestion_gets_its_cue() -> None:
    from binhyen.lib.gazetteer import Gazetteer
    from binhyen.lib.triage.features import analyse, cue_features

    gaz = Gazetteer.load()
    thanks = cue_features(
        analyse("Cảm ơn công an xã Hòa Mỹ đã đưa mẹ con tôi ra khỏi vùng ngập", gaz)
    )
    tip = cue_features(analyse("Nhà em ở chợ Tân An bị trộm mất xe máy, em cảm ơn", gaz))
    assert "I:opens_with_thanks" in thanks and "I:opens_with_thanks" not in tip
    suggestion = cue_features(analyse("Mong công an xã tổ chức buổi tuyên truyền về ma túy", gaz))
    assert "I:opens_with_suggestion" in suggestion
    misdirected = cue_features(analyse("chi Lan oi chuyen khoan tien hang cho e nha", gaz))
    crowd = cue_features(analyse("anh em oi dang co vu chem nhau o cho Tan An", gaz))
    assert "I:to_named_person" in misdirected and "I:to_named_person" not in crowd


def test_talk_about_the_police_and_pasted_warnings_get_their_cues(gaz: Gazetteer) -> None:
    from binhyen.lib.triage.features import cue_features

    def cues(text: str) -> list[str]:
        return cue_features(analyse(text, gaz))

    page = cues("Cho hỏi trang zalo này có phải của công an xã thật không hay trang giả")
    assert "I:ask+about_police" in page
    assert "I:ask+about_police" not in cues("Cho hỏi làm căn cước cho con ở công an xã nào")
    clip = cues("Video tuyên truyền chống lừa đảo của công an phường rất hay, bổ ích quá")
    assert "I:praise+about_police" in clip
    detained = cues("Con tôi bị tạm giữ từ hôm qua mà gia đình không được thông báo gì")
    assert "I:police_action+complaint" in detained
    rumour = cues("Chia sẻ giúp: nghe nói có nhóm giả người câm đi xin tiền rồi trộm đồ")
    assert "I:chain+hearsay" in rumour
    assert "I:chain+hearsay" not in cues("Tôi thấy có nhóm giả người câm đi xin tiền ở chợ")
    assert "I:opens_with_warning" in cues("CẢNH BÁO: thủ đoạn giả nhân viên điện lực thu tiền")
    assert "I:opens_with_warning" not in cues("Tôi muốn cảnh báo quán karaoke hát tới 2h sáng")
    old_report = cues("Tôi đã báo vụ trộm tuần trước, công an xuống lập biên bản rồi để đó")
    assert "I:past_report+police_action" in old_report


def test_urgency_and_category_conjunctions(gaz: Gazetteer) -> None:
    from binhyen.lib.triage.features import cue_features

    def cues(text: str) -> list[str]:
        return cue_features(analyse(text, gaz))

    gone = cues("Nhóm thanh niên cầm gậy đập phá quán rồi rồ ga chạy hướng chợ, mới 5 phút trước")
    assert "U:danger+gone" in gone
    assert "U:danger+gone" not in cues("Nhóm thanh niên cầm gậy đang đập phá quán ở chợ")
    pond = cues("Bé 6 tuổi té xuống ao sau nhà, chưa vớt lên được")
    assert "C:child+fire_rescue" in pond
    taken = cues("Bé gái 5 tuổi mất tích từ chiều, có người thấy người lạ chở đi")
    assert "C:missing_child+stranger" in taken
    assert "C:missing_child+stranger" not in cues("Cụ ông 80 tuổi đi rẫy chưa về")
