"""The spam model: training, calibration, explanations, save/load, online learning, files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from shequn.errors import ImportFileError
from shequn.moderation.classifier.datasets import LabelledText, read_labelled
from shequn.moderation.classifier.default import build_default_model, default_model
from shequn.moderation.classifier.metrics import confusion, evaluate
from shequn.moderation.classifier.model import SpamModel
from shequn.moderation.classifier.optimize import fit_platt
from shequn.moderation.classifier.seed_data import seed_rows
from shequn.moderation.classifier.train import TrainConfig, choose_threshold, grouped_folds, train
from shequn.moderation.normalize import normalize

SMALL = TrainConfig(l2=0.1, min_df=1, folds=4, max_fpr=0.05, max_iter=150)


@pytest.fixture(scope="module")
def model() -> SpamModel:
    return train(seed_rows(), SMALL)


@pytest.mark.parametrize(
    ("text", "spam"),
    [
        ("加我微信 kk6688 免费领取资料", True),
        ("兼职刷单日赚三百，私聊", True),
        ("Congratulations, you have won a prize, claim now", True),
        ("我家猫今天好可爱", False),
        ("meeting at 3pm, room 1208", False),
        ("明天几点集合？", False),
    ],
)
def test_trained_model_separates_obvious_cases(model: SpamModel, text: str, spam: bool) -> None:
    probability = model.predict(text).probability
    assert (probability >= 0.5) is spam


def test_probabilities_are_calibrated_on_the_training_set(model: SpamModel) -> None:
    rows = seed_rows()
    probs = np.array([model.predict(r.text).probability for r in rows])
    truth = np.array([r.is_spam for r in rows], dtype=float)
    assert probs.min() >= 0.0 and probs.max() <= 1.0
    # Mean predicted probability close to the spam share, low Brier score.
    assert abs(probs.mean() - truth.mean()) < 0.1
    assert float(np.mean((probs - truth) ** 2)) < 0.1


def test_explanations_name_the_features_that_drove_it(model: SpamModel) -> None:
    prediction = model.predict("加我微信 kk6688 免费领取资料", explain=3)
    assert prediction.is_spam and len(prediction.top_features) == 3
    contributions = [c for _, c in prediction.top_features]
    assert contributions == sorted(contributions, reverse=True) and contributions[0] > 0


def test_save_and_load_round_trip(model: SpamModel, tmp_path: Path) -> None:
    path = model.save(tmp_path / "model.npz")
    loaded = SpamModel.load(path)
    assert loaded.threshold == model.threshold and loaded.meta["rows"] == len(seed_rows())
    for text in ("加我微信 kk6688", "我家猫今天好可爱"):
        assert loaded.predict(text).probability == pytest.approx(
            model.predict(text).probability, abs=1e-5
        )


def test_loading_refuses_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    with path.open("wb") as handle:
        np.savez(
            handle,
            header=np.frombuffer(json.dumps({"format": 99}).encode(), dtype=np.uint8),
            names=np.frombuffer(b"[]", dtype=np.uint8),
            weights=np.zeros(0, dtype=np.float32),
        )
    with pytest.raises(ValueError, match="format"):
        SpamModel.load(path)


def test_online_learning_moves_the_probability() -> None:
    fresh = default_model()
    text = "新品茶叶特惠，扫码进店看看"
    before = fresh.predict(text).probability
    for _ in range(5):
        fresh.learn(text, True)
    after = fresh.predict(text).probability
    assert after > before
    assert fresh.meta["online_updates"] == 5
    assert default_model().predict(text).probability == pytest.approx(before)  # copies are private


def test_online_learning_unlearns_a_false_alarm() -> None:
    fresh = default_model()
    text = "收到，私聊你了"
    before = fresh.predict(text).probability
    for _ in range(5):
        fresh.learn(text, False)
    assert fresh.predict(text).probability < before


def test_default_model_is_built_from_seed_examples_only() -> None:
    built = build_default_model()
    assert built.meta["source"] == "shequn seed examples"
    assert built.meta["rows"] == len(seed_rows()) and built.meta["review_only"] is True


def test_training_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="both"):
        train([LabelledText("a", True), LabelledText("b", True)], SMALL)


def test_evaluate_and_confusion(model: SpamModel) -> None:
    metrics = confusion([True, True, False, False, False], [True, False, True, False, False])
    assert (metrics.tp, metrics.fn, metrics.fp, metrics.tn) == (1, 1, 1, 2)
    assert metrics.precision == 0.5 and metrics.recall == 0.5 and metrics.f1 == 0.5
    assert metrics.fpr == pytest.approx(1 / 3)
    assert metrics.matrix == ((2, 1), (1, 1))
    result = evaluate(model, seed_rows())
    assert result.f1 > 0.9 and result.fpr < 0.1


def test_threshold_respects_the_false_positive_budget() -> None:
    probabilities = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.3, 0.2, 0.1, 0.05, 0.01])
    truth = np.array([1, 1, 0, 1, 1, 0, 0, 0, 0, 0], dtype=float)
    assert choose_threshold(probabilities, truth, max_fpr=0.0) == 0.9
    assert choose_threshold(probabilities, truth, max_fpr=0.2) == 0.7


def test_platt_scaling_orders_scores() -> None:
    scores = np.array([-3.0, -2.0, -1.0, 0.5, 1.0, 2.0, 3.0, -0.5])
    truth = np.array([0, 0, 0, 1, 1, 1, 1, 0], dtype=float)
    a, b = fit_platt(scores, truth)
    assert a > 0
    # The calibrated probability crosses one half between the classes.
    assert -1.0 < -b / a < 0.5


def test_grouped_folds_keep_duplicates_together() -> None:
    texts = ["同一句话", "同 一 句 话", "另一句", "third", "fourth", "fifth"]
    folds = grouped_folds(texts, [1, 1, 0, 0, 1, 0], folds=2, seed=0)
    assert folds[0] == folds[1]


def test_reads_every_labelled_format(tmp_path: Path) -> None:
    zh = tmp_path / "zh.csv"
    zh.write_text("target,input\n1,加我微信\n0,你好\n", encoding="utf-8")
    en = tmp_path / "en.tsv"
    en.write_text("ham\thello there\nspam\tWIN a prize\n", encoding="utf-8")
    generic = tmp_path / "generic.csv"
    generic.write_text('label,text\nspam,"buy now, cheap"\nham,see you\n', encoding="utf-8")
    lines = tmp_path / "rows.jsonl"
    lines.write_text(
        '{"label": "spam", "text": "free"}\n\n{"is_spam": false, "text": "hi"}\n', encoding="utf-8"
    )
    assert [r.is_spam for r in read_labelled(zh)] == [True, False]
    assert read_labelled(en) == [
        LabelledText("hello there", False),
        LabelledText("WIN a prize", True),
    ]
    assert read_labelled(generic)[0] == LabelledText("buy now, cheap", True)
    assert [r.is_spam for r in read_labelled(lines)] == [True, False]


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("bad.csv", "target,input\nmaybe,hello\n", ":2:"),
        ("bad.tsv", "ham\tok\nno tab here\n", ":2:"),
        ("bad.jsonl", '{"label": 1, "text": "x"}\nnot json\n', ":2:"),
        ("nocol.csv", "a,b\n1,2\n", "label"),
        ("bad.txt", "whatever", "unsupported"),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, name: str, content: str, where: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError, match=where):
        read_labelled(path)


def test_assess_answers_again_from_memory_until_the_model_learns() -> None:
    fresh = default_model()
    text = "新品茶叶特惠，扫码进店看看"
    norm = normalize(text)
    first = fresh.assess(norm, text, explain=5)
    assert fresh.assess(norm, text, explain=5) is first  # a repeated text is not scored again
    assert first[0] == pytest.approx(fresh.predict(text).probability)
    for _ in range(5):
        fresh.learn(text, True)
    after = fresh.assess(norm, text, explain=5)
    assert after[0] > first[0]
    assert after[0] == pytest.approx(fresh.predict(text).probability)


def test_assess_explains_with_the_strongest_spam_features(model: SpamModel) -> None:
    text = "加我微信 kk6688 免费领取资料"
    probability, top = model.assess(normalize(text), text, explain=3)
    predicted = model.predict(text, explain=3, toward_spam=True)
    assert probability == pytest.approx(predicted.probability)
    assert [f for f, _ in top] == [f for f, w in predicted.top_features if w > 0]
    assert all(weight > 0 for _, weight in top)
    assert model.assess(normalize(text), text, explain=3, explain_from=1.0)[1] == ()


def test_small_weights_are_dropped_from_the_model() -> None:
    full = train(seed_rows(), replace(SMALL, min_weight=0.0))
    pruned = train(seed_rows(), replace(SMALL, min_weight=0.3))
    assert all(abs(w) >= 0.3 for w in pruned.weights.values())
    assert any(abs(w) < 0.3 for w in full.weights.values())
    assert len(pruned.weights) < len(full.weights)
    assert pruned.predict("兼职刷单日赚三百，私聊").is_spam
