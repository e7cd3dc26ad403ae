"""The signed webhook connector: any bridge (WeCom, QQ, WeChat bots, a shop) speaks it.

Inbound, the bridge POSTs canonical events to ``/hooks/{connector_id}``;
outbound, shequn POSTs actions to the bridge's URL. Both directions are signed
with HMAC-SHA256 over ``timestamp + "." + body`` (``signing``). The protocol is
documented in docs/connectors.md; ``examples/bridge.py`` is a working bridge.
"""
