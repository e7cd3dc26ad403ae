"""QR codes in images: a decoder protocol, a zxing-cpp decoder, a fake, and the check.

Decoding is I/O-heavy work done *before* the pure checks run: whoever fetches
the image calls a :class:`QrDecoder` and hands the payloads to
:class:`~shequn.moderation.context.CheckContext`. :class:`QrCheck` only reads
those payloads. Any bytes, broken or hostile, decode to ``()`` rather than
raising.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Mapping
from typing import Protocol

from shequn.domain.events import Message
from shequn.moderation.context import CheckContext
from shequn.moderation.structural import domain_allowed, host_of
from shequn.moderation.verdict import Check, Verdict

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Larger images are not decoded (chat platforms compress well below this)."""
MAX_PIXELS = 40_000_000
"""Images with more pixels are refused before decompression (decompression bombs)."""
MAX_SIDE = 2048
"""Images are downscaled to this longest side first; QR codes in chat survive it."""

_WECHAT_HOSTS = ("u.wechat.com", "weixin.qq.com", "wechat.com", "wxp", "work.weixin.qq.com")
_PAY_HOSTS = ("qr.alipay.com", "alipay.com", "payapp.weixin.qq.com")


class QrDecoder(Protocol):
    """Turns image bytes into the texts of the QR codes in them."""

    def decode(self, image: bytes) -> tuple[str, ...]:
        """Payloads of every QR code found; ``()`` when none or the image is unreadable."""
        ...


class FakeQrDecoder:
    """A decoder that answers from a table (for tests and the simulator)."""

    def __init__(self, answers: Mapping[bytes, tuple[str, ...]] | None = None) -> None:
        self.answers = dict(answers or {})
        self.calls = 0

    def decode(self, image: bytes) -> tuple[str, ...]:
        """The payloads registered for these exact bytes, else ``()``."""
        self.calls += 1
        return self.answers.get(image, ())


class ZxingQrDecoder:
    """Decodes QR and Micro QR codes with zxing-cpp (needs Pillow to read the image)."""

    def decode(self, image: bytes) -> tuple[str, ...]:
        """Payloads of the QR codes in a PNG/JPEG/GIF/WebP/BMP image."""
        if not image or len(image) > MAX_IMAGE_BYTES:
            return ()
        try:
            return self._decode(image)
        except Exception as error:
            log.debug("QR decoding failed: %s", error)
            return ()

    def _decode(self, image: bytes) -> tuple[str, ...]:
        import zxingcpp
        from PIL import Image

        with Image.open(io.BytesIO(image)) as picture:
            width, height = picture.size
            if width * height > MAX_PIXELS or width < 21 or height < 21:
                return ()
            picture.draft("L", (MAX_SIDE, MAX_SIDE))  # cheap JPEG downscale while decoding
            gray = picture.convert("L")
        if max(gray.size) > MAX_SIDE:
            gray.thumbnail((MAX_SIDE, MAX_SIDE))
        formats = zxingcpp.BarcodeFormats(
            [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode]
        )
        found = zxingcpp.read_barcodes(gray, formats=formats)
        return tuple(code.text for code in found if code.valid and code.text)


def payload_kind(payload: str) -> str:
    """A short label for what a QR payload leads to (wechat, payment, url:host, text)."""
    lowered = payload.strip().casefold()
    if lowered.startswith(("weixin://", "wxp://")):
        return "wechat"
    host = host_of(lowered) if "://" in lowered or lowered.startswith("www.") else ""
    if host:
        if domain_allowed(host, _PAY_HOSTS):
            return "payment"
        if domain_allowed(host, _WECHAT_HOSTS):
            return "wechat"
        return f"url:{host}"
    return "text"


_NO_QR = Verdict("qr_code", False, "no QR code")


class QrCheck(Check):
    """Matches images whose QR codes lead outside the group's allow-list."""

    name = "qr_code"

    def __init__(self, allowed_domains: Iterable[str] = ()) -> None:
        self.allowed = tuple(d.casefold().lstrip(".") for d in allowed_domains)

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Judge the decoded payloads handed over in the context."""
        if not ctx.qr_payloads:
            return _NO_QR
        kinds = []
        for payload in ctx.qr_payloads:
            kind = payload_kind(payload)
            if kind.startswith("url:") and domain_allowed(kind[4:], self.allowed):
                continue
            kinds.append(kind)
        if not kinds:
            return Verdict(self.name, False, "QR code(s) to allowed domains only")
        return Verdict(self.name, True, f"{len(kinds)} QR code(s)", evidence=tuple(kinds))
