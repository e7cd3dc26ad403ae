"""Connectors: the edge between shequn and chat platforms.

Each connector has one function turning a platform update into canonical
events (inbound) and one turning an outbox action into platform calls
(outbound). Nothing outside ``shequn.connectors.<platform>`` imports a chat
library. Fakes of each platform ship here too (``telegram.fake``,
``webhook.fake``) for tests and for developers.
"""
