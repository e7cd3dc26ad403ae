"""``shequn engage|faq|timeline|scheduler`` in-process against real databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from sqlalchemy import select

from shequn.scheduler import Scheduler
from shequn.store.models import FaqQuestion
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.engage.conftest import (
    EXPERTS,
    FAQ_FILE,
    Configure,
    ask_and_wait,
    member_id,
    question_status,
    sent,
)

Run = Callable[..., Result]



EVENTS = """\
{"kind":"member_joined","source":"t","external_id":"1","occurred_at":"2026-03-02T10:00:00+08:00","platform":"telegram","group_id":"g1","group_name":"护肤交流群","user_id":"u1","user_name":"Alice"}
{"kind":"message","source":"t","external_id":"2","occurred_at":"2026-03-02T10:01:00+08:00","platform":"telegram","group_id":"g1","user_id":"u2","message_id":"m2","text":"你们的面霜可以带上飞机吗？"}
"""


def test_faq_engage_and_timeline_from_the_command_line(shequn: Run, tmp_path: Path,
                                                      store: Store) -> None:
    imported = shequn("faq", "import", str(FAQ_FILE))
    assert imported.exit_code == 0 and "47 new" in imported.output
    matched = shequn("faq", "match", "买了能退吗？不喜欢")
    assert matched.exit_code == 0 and "→ #" in matched.output
    assert "不会自动回答" in shequn("faq", "match", "今天天气怎么样？").output

    events = tmp_path / "events.jsonl"
    events.write_text(EVENTS, encoding="utf-8")
    settings = tmp_path / "g1.toml"
    settings.write_text('language = "zh"\ntimeline = "activity-default"\n[welcome]\n'
                        'merge_seconds = 0\n', encoding="utf-8")
    assert shequn("import", "events", str(events)).exit_code == 0  # creates group g1
    assert shequn("timeline", "defaults").exit_code == 0
    saved = shequn("engage", "set", "telegram:g1", str(settings))
    assert saved.exit_code == 0 and "version 1" in saved.output
    assert '"timeline": "activity-default"' in shequn("engage", "show", "g1").output

    preview = shequn("timeline", "preview", "--days", "7")
    assert preview.exit_code == 0 and "护肤交流群" in preview.output
    assert "post(s) to 1 group(s) in 7 day(s)" in preview.output
    assert "activity-default" in shequn("timeline", "list").output
    assert shequn("scheduler", "run", "--once").exit_code == 0

    events.write_text(EVENTS.replace('"external_id":"2"', '"external_id":"3"'),
                      encoding="utf-8")
    shequn("import", "events", str(events))
    queue = shequn("faq", "questions")
    assert "面霜可以带上飞机吗" in queue.output and "1 question(s) open" in queue.output
    with store.session() as session:
        question_id = session.scalar(select(FaqQuestion.id).where(FaqQuestion.status == "open"))
    answered = shequn("faq", "answer", str(question_id), "100ml 以下可以随身带。", "--add-to-faq")
    assert answered.exit_code == 0 and "learnt it" in answered.output


def test_bad_files_and_names_are_clear_errors(shequn: Run, tmp_path: Path) -> None:
    faq = tmp_path / "faq.toml"
    faq.write_text('[[faq]]\nquestion = "q"\nanswer_zh = "a"\nkeywords = [{ pattern = "x", '
                   'mode = "fuzzy" }]\n', encoding="utf-8")
    result = shequn("faq", "import", str(faq))
    assert result.exit_code == 1
    assert f"{faq}:4: field 'faq[0].keywords[0].mode'" in result.output.replace("\n", "")
    library = tmp_path / "lib.toml"
    library.write_text('[[timeline]]\nname = "x"\nrules = [{ id = "a", at = "8:00", '
                       'every = "day", text_zh = "早" }]\n', encoding="utf-8")
    result = shequn("timeline", "import", str(library))
    assert result.exit_code == 1 and "rules[0].at" in result.output.replace("\n", "")
    missing = shequn("engage", "show", "nope")
    assert missing.exit_code == 1 and "no group 'nope'" in missing.output
    assert shequn("faq", "import", str(tmp_path / "none.toml")).exit_code == 1


def test_an_expert_tagged_from_the_command_line_is_called_until_untagged(
        shequn: Run, harness: CommunityHarness, configure: Configure, store: Store,
        workspace_id: int, scheduler: Scheduler) -> None:
    configure("g1", {**EXPERTS, "experts": {**EXPERTS["experts"], "per_expert_per_day": 5}})
    harness.join("x1", "g1", user_name="旅行达人")
    expert = str(member_id(store, "x1"))
    added = shequn("member", "tag", "add", expert, "expert:travel", "-w", "acme")
    assert added.exit_code == 0 and "tagged" in added.output
    ask_and_wait(harness, scheduler, "q1")
    (call,) = sent(harness, "reply")
    assert call.payload["reply_to"] == "q1" and call.payload["text"].startswith("@旅行达人 ")

    removed = shequn("member", "tag", "remove", expert, "expert:travel", "-w", "acme")
    assert removed.exit_code == 0 and "removed" in removed.output
    ask_and_wait(harness, scheduler, "q2")
    assert len(sent(harness, "reply")) == 1 and question_status(store) == ["routed", "open"]
    refused = shequn("member", "tag", "add", expert, "city", "-w", "acme")
    assert refused.exit_code != 0 and "profile field" in refused.output
