"""QR codes in Telegram photos: fetch the image through the Bot API and decode it off the loop.

Runs at the edge, before events go to intake, in webhook and long-polling mode
alike: a ``message`` event whose ``media_ref`` names a Telegram image (see
:mod:`.convert`) gets the payloads of the QR codes in it as ``qr_codes``, which
moderation's QR rule judges. The image is found with ``getFile`` and
downloaded from ``{base_file_url}{token}/{file_path}``, the Bot API's file URL.

Bounded so a photo can never hold an update up for long or sink it:

* files larger than :data:`~shequn.moderation.qr.MAX_IMAGE_BYTES` are skipped
  (``getFile`` tells the size; the download is cut off there too);
* fetching and decoding one update's images takes at most ``timeout`` seconds;
* decoding runs in a small thread pool of its own, so it neither blocks the
  event loop nor takes the threads the intake writer commits in;
* one HTTP client per update (its TLS settings are built once), so no
  connection outlives the request or the event loop that opened it;
* any failure (file gone, timeout, not an image) is logged and leaves
  ``qr_codes`` empty: the event is stored all the same.

Updates without an image pass straight through, without waiting for anything.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx

from shequn.connectors.accounts import TelegramConfig
from shequn.connectors.telegram.connector import api_urls
from shequn.connectors.telegram.convert import FILE_REF
from shequn.domain.enums import MediaKind
from shequn.domain.events import MAX_QR_CHARS, MAX_QR_CODES, EventBase, Message
from shequn.moderation.qr import MAX_IMAGE_BYTES, QrDecoder, ZxingQrDecoder

log = logging.getLogger(__name__)

SCAN_TIMEOUT = 5.0
"""Seconds one update's images may take to fetch and decode."""


class _Unavailable(Exception):
    """The image could not be fetched (the message says why, without the token)."""


def image_file(event: EventBase) -> str | None:
    """The Telegram file id of a message's image, if it has one."""
    if isinstance(event, Message) and event.media == MediaKind.IMAGE and event.media_ref \
            and event.media_ref.startswith(FILE_REF):
        return event.media_ref[len(FILE_REF):]
    return None


class PhotoScanner:
    """Adds the QR payloads of Telegram images to the message events that carry them."""

    def __init__(self, *, decoder: QrDecoder | None = None, timeout: float = SCAN_TIMEOUT,
                 max_bytes: int = MAX_IMAGE_BYTES, threads: int = 2) -> None:
        self.decoder: QrDecoder = decoder or ZxingQrDecoder()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.stats: Counter[str] = Counter()
        """Images ``scanned``, scanned ``with_codes``, ``skipped`` (too large), ``failed``."""
        self._threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._tls: ssl.SSLContext | None = None

    async def with_qr_codes(self, config: TelegramConfig, events: Sequence[EventBase]
                            ) -> list[EventBase]:
        """``events``, each message with an image given the payloads of its QR codes."""
        wanted = [(i, file_id) for i, event in enumerate(events)
                  if (file_id := image_file(event)) is not None]
        if not wanted:
            return list(events)
        if self._tls is None:
            self._tls = ssl.create_default_context()
        async with httpx.AsyncClient(
                verify=self._tls, timeout=httpx.Timeout(self.timeout), follow_redirects=False,
                limits=httpx.Limits(max_connections=8)) as client:
            found = await asyncio.gather(*(self._payloads(client, config, file_id)
                                           for _, file_id in wanted))
        out = list(events)
        for (i, _), payloads in zip(wanted, found, strict=True):
            if payloads:
                # model_copy skips validation, so the event's bounds are applied here.
                codes = [p[:MAX_QR_CHARS] for p in payloads[:MAX_QR_CODES]]
                out[i] = events[i].model_copy(update={"qr_codes": codes})
        return out

    async def aclose(self) -> None:
        """Stop the decoding threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    async def _payloads(self, client: httpx.AsyncClient, config: TelegramConfig, file_id: str
                        ) -> tuple[str, ...]:
        token = config.token.get_secret_value()
        try:
            async with asyncio.timeout(self.timeout):
                image = await self._fetch(client, config, file_id)
                if image is None:
                    self.stats["skipped"] += 1
                    return ()
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="qr-decode")
                loop = asyncio.get_running_loop()
                payloads = await loop.run_in_executor(self._pool, self.decoder.decode, image)
        except Exception as exc:  # any failure leaves the event as it is
            self.stats["failed"] += 1
            why = str(exc).replace(token, "<token>") or type(exc).__name__
            log.warning("no QR scan of Telegram file %s: %s", file_id, why)
            return ()
        self.stats["scanned"] += 1
        self.stats["with_codes"] += bool(payloads)
        return payloads

    async def _fetch(self, client: httpx.AsyncClient, config: TelegramConfig, file_id: str
                     ) -> bytes | None:
        """The image's bytes; None when it is too large to fetch."""
        base_url, base_file_url = api_urls(config)
        token = config.token.get_secret_value()
        answer = await client.post(f"{base_url}{token}/getFile", json={"file_id": file_id})
        try:
            body = answer.json()
        except ValueError:
            raise _Unavailable(f"getFile answered {answer.status_code}, not JSON") from None
        if not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description") if isinstance(body, dict) else None
            raise _Unavailable(f"getFile answered {answer.status_code}: {description}")
        found = body.get("result") or {}
        path, size = found.get("file_path"), found.get("file_size")
        if not path:
            raise _Unavailable("getFile gave no file_path (the file is too big to download)")
        if isinstance(size, int) and size > self.max_bytes:
            log.info("Telegram file %s not scanned: %d bytes", file_id, size)
            return None
        async with client.stream("GET", f"{base_file_url}{token}/{quote(str(path))}") as reply:
            if reply.status_code != 200:
                raise _Unavailable(f"the file download answered {reply.status_code}")
            data = bytearray()
            async for chunk in reply.aiter_bytes():
                data += chunk
                if len(data) > self.max_bytes:
                    log.info("Telegram file %s not scanned: over %d bytes", file_id,
                             self.max_bytes)
                    return None
        return bytes(data)
