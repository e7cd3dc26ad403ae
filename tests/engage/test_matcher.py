"""The FAQ matcher: keyword modes, explanations, and its accuracy on the benchmark set."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shequn.engage.faq.matcher import DEFAULT_THRESHOLD, FaqMatcher, KeywordRule, MatchEntry
from shequn.engage.faq.spec import read_faq_file
from shequn.errors import ImportFileError

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


@pytest.mark.parametrize(("rule", "text", "fires"), [
    (KeywordRule.build("退款"), "请问退款多久到账", True),
    (KeywordRule.build("Refund"), "where is my REFUND?", True),
    (KeywordRule.build("ｃｏｕｐｏｎ"), "coupon code", True),  # full-width written rule
    (KeywordRule.build("签到", "exact"), "签到！", True),
    (KeywordRule.build("签到", "exact"), "怎么签到", False),
    (KeywordRule.build(r"when.*ship", "regex"), "When will you ship it", True),
    (KeywordRule.build(r"^\d{4}$", "regex"), "1234", True),
    (KeywordRule.build(r"^\d{4}$", "regex"), "12345", False),
    (KeywordRule.build("发票"), "发货了吗", False),
])
def test_keyword_rules(rule: KeywordRule, text: str, fires: bool) -> None:
    assert rule.matches(text) is fires


def test_a_match_explains_which_example_and_keyword_carried_it() -> None:
    matcher = FaqMatcher([
        MatchEntry(1, "运费怎么算？ / How much is shipping?", ("包邮吗", "运费多少钱"),
                   (KeywordRule.build("运费"),)),
        MatchEntry(2, "可以开发票吗？", ("怎么申请发票",)),
    ])
    best = matcher.best("买两件运费多少钱？", DEFAULT_THRESHOLD)
    assert best is not None and best.entry_id == 1
    assert best.method == "keyword+semantic" and "“运费多少钱”" in best.explain()
    assert matcher.best("今天天气怎么样？", DEFAULT_THRESHOLD) is None


def test_entries_limited_to_groups_answer_only_there() -> None:
    matcher = FaqMatcher([MatchEntry(1, "课程有回放吗？", ("回放在哪看",), group_ids=frozenset({7}))])
    assert matcher.rank("回放在哪里看", group_id=7)
    assert matcher.rank("回放在哪里看", group_id=8) == []


def test_a_faq_file_with_a_bad_regex_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    path.write_text('[[faq]]\nquestion = "q"\nanswer_zh = "a"\n\n[[faq]]\nquestion = "r"\n'
                    'answer_en = "b"\nkeywords = [{ pattern = "(", mode = "regex" }]\n',
                    encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_faq_file(path)
    assert caught.value.line == 8 and caught.value.field == "faq[1].keywords[0]"
    assert "not a valid regular expression" in caught.value.problem


def test_the_benchmark_figures_hold() -> None:
    """Guards the figures benchmarks/faq.py prints (see its docstring for the method)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import faq as bench  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCHMARKS))
    faq_file = read_faq_file(BENCHMARKS / "data" / "faq_entries.toml")
    entries = [spec.match_entry(n) for n, spec in enumerate(faq_file.faq)]
    key_of = {n: spec.key or str(n) for n, spec in enumerate(faq_file.faq)}
    test = bench.read_questions(BENCHMARKS / "data" / "faq_test.tsv")
    assert len(faq_file.faq) >= 40 and len(test) >= 300
    ours = bench.score(bench.decider(FaqMatcher(entries)), DEFAULT_THRESHOLD, test, key_of)
    keyword = bench.score(bench.decider(FaqMatcher(entries, semantic=False, background=())),
                          1.0, test, key_of)
    assert ours.accuracy >= 0.90 and ours.false_rate <= 0.05
    assert ours.accuracy > keyword.accuracy + 0.5
