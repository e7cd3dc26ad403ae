"""QR codes: real images decoded with zxing-cpp, payloads judged by the pure check."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import segno
from PIL import Image

from shequn.moderation.qr import FakeQrDecoder, QrCheck, ZxingQrDecoder, payload_kind


def qr_png(payload: str, scale: int = 4) -> bytes:
    """A PNG with one QR code holding ``payload``."""
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "payload",
    [
        "https://u.wechat.com/EExample123",
        "加我微信 abc123 领红包",
        "https://qr.alipay.com/fkx00001",
    ],
)
def test_decodes_real_qr_png(payload: str) -> None:
    assert ZxingQrDecoder().decode(qr_png(payload)) == (payload,)


def test_decodes_qr_inside_a_larger_jpeg_photo() -> None:
    code = Image.open(io.BytesIO(qr_png("https://spam.top/join", scale=6))).convert("RGB")
    photo = Image.new("RGB", (900, 700), (200, 180, 160))
    photo.paste(code, (400, 250))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)
    assert ZxingQrDecoder().decode(buffer.getvalue()) == ("https://spam.top/join",)


def test_image_without_qr_decodes_to_nothing() -> None:
    buffer = io.BytesIO()
    Image.new("L", (200, 200), 255).save(buffer, format="PNG")
    assert ZxingQrDecoder().decode(buffer.getvalue()) == ()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        bytes(range(256)) * 40,
        b"GIF89a" + b"\xff" * 100,
    ],
)
def test_broken_images_never_raise(data: bytes) -> None:
    assert ZxingQrDecoder().decode(data) == ()


def test_truncated_png_never_raises() -> None:
    data = qr_png("https://spam.top/x")
    assert ZxingQrDecoder().decode(data[: len(data) // 2]) == ()


def test_fake_decoder_answers_from_its_table() -> None:
    fake = FakeQrDecoder({b"img": ("https://spam.top",)})
    assert fake.decode(b"img") == ("https://spam.top",)
    assert fake.decode(b"other") == ()
    assert fake.calls == 2


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ("https://u.wechat.com/abc", "wechat"),
        ("weixin://dl/business", "wechat"),
        ("https://qr.alipay.com/x", "payment"),
        ("https://spam.top/join", "url:spam.top"),
        ("just some text", "text"),
    ],
)
def test_payload_kinds(payload: str, kind: str) -> None:
    assert payload_kind(payload) == kind


def test_qr_check_reads_payloads_from_context(judge: Callable[..., Any]) -> None:
    check = QrCheck(allowed_domains=["ourbrand.com"])
    assert not judge(check, "看图").matched
    assert not judge(check, "看图", qr=("https://ourbrand.com/store",)).matched
    verdict = judge(check, "看图", qr=("https://u.wechat.com/abc",))
    assert verdict.matched and verdict.evidence == ("wechat",)


def test_decoder_and_check_end_to_end(judge: Callable[..., Any]) -> None:
    payloads = ZxingQrDecoder().decode(qr_png("https://u.wechat.com/joinme"))
    assert judge(QrCheck(), "", qr=payloads).matched
