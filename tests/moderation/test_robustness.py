"""Hostile input never crashes the guard and never takes long."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequn.domain.events import MAX_TEXT_CHARS
from shequn.moderation.classifier.default import default_model
from shequn.moderation.classifier.features import extract
from shequn.moderation.contacts import find_handles
from shequn.moderation.guard import Guard
from shequn.moderation.normalize import HEAD_CHARS, TAIL_CHARS, normalize
from shequn.moderation.qr import ZxingQrDecoder
from shequn.moderation.rulebook import Rulebook
from tests.moderation.conftest import T0, make_message

GUARD = Guard(Rulebook(), model=default_model())
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=400)
# Messages are validated at intake, which refuses lone surrogates; everything else can arrive.
MESSAGE_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_normalize_handles_every_unicode_category(text: str) -> None:
    norm = normalize(text)
    assert len(norm.text) <= len(text) * 18 + 1  # NFKC expands at most 18-fold
    assert " " not in norm.squeezed and "  " not in norm.text
    assert extract(norm, text)  # always at least the length and script features
    find_handles(norm.digits, squeezed=norm.squeezed)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MESSAGE_TEXT)
def test_guard_decides_on_any_text(text: str) -> None:
    decision = GUARD.check_message(make_message(text, user="fuzz"))
    assert decision.verdicts and decision.outcome.value in {"allow", "review", "act"}
    assert decision.explain()


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_qr_decoder_survives_any_bytes(data: bytes) -> None:
    assert ZxingQrDecoder().decode(data) == ()


def test_binary_garbage_as_text() -> None:
    garbage = bytes(random.Random(1).randrange(256) for _ in range(50_000)).decode("latin-1")
    decision = GUARD.check_message(make_message(garbage))
    assert decision.verdicts


@pytest.mark.parametrize("unit", ["a", "加", "𝐰", "🐧 ", "\u200b", "1 ", "é"])
def test_one_megabyte_message_is_bounded_in_time(unit: str) -> None:
    text = (unit * (MAX_TEXT_CHARS // len(unit)))[:MAX_TEXT_CHARS]
    message = make_message(text)
    began = time.perf_counter()
    decision = GUARD.check_message(message)
    elapsed = time.perf_counter() - began
    assert elapsed < 0.5, elapsed
    assert decision.verdicts


def test_long_text_advert_in_the_tail_is_still_seen() -> None:
    padding = "今天天气不错。" * 100_000
    decision = Guard(Rulebook()).check_message(make_message(padding + " 加我vx: abc_123"))
    assert decision.reason == "contact"
    assert len(padding) > HEAD_CHARS + TAIL_CHARS


def test_many_members_keep_memory_bounded() -> None:
    guard = Guard(Rulebook())
    guard.state.max_members = 100
    guard.state.max_texts = 100
    for i in range(2_000):
        guard.check_message(
            make_message(f"消息编号 {i} 随便聊聊天", at=T0 + timedelta(seconds=i), user=f"u{i}")
        )
    assert len(guard.state) <= 200
