"""The outbox worker: executes decided actions on chat platforms with limits and retries.

Guarantee, precisely: every action is claimed by one worker at a time and is
never *started* twice while its claim holds. An action finished before a crash
is never repeated; one claimed but not started is run after the lease lapses.
The one action per worker whose platform call was under way at a crash is
repeated only when repeating is harmless (delete, mute, ban, approve … or a
connector with idempotency keys, like the signed webhook); a message send on
Telegram, which has no idempotency key, goes to the dead-letter list as
"outcome unknown" instead of risking a duplicate. See ``queue.py``.
"""
