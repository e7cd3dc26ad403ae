"""A simulated community: members, groups and the events they produce, with ground truth.

    from shequn.simulator import SimulationConfig, simulate
    for event in simulate(SimulationConfig(members=1_000, groups=10, days=30, seed=1)):
        ...  # a dict that validates as a canonical event

Events are streamed day by day in time order (never all in memory), as dicts
whose keys are exactly the fields of their canonical event model: each member's
``profile_updated`` comes first, then joins (with ``referral`` events for invited
members), messages, check-ins, orders (refunds repeat the ``order_id`` with status
``refunded``), renames and leaves. Users are ``u{n}``, groups ``g{n}``, messages
``m{n}``, orders ``o{n}``, external ids ``sim-{seed}-{n}``. The same seed gives the
same events in any process.

``simulate_labelled`` yields ``(event, SimLabel)`` pairs, the ground truth for
moderation tests and benchmarks; ``write_jsonl`` writes a run to a file;
``estimate_events`` sizes a run beforehand.

Modules: ``config`` (what to simulate), ``vocab``/``people``/``texts`` (words,
names, chat templates), ``disguise``/``spam`` (spam forms), ``groups``/``community``
(who is where, when), ``timeline``/``schedule`` (rhythms, sizing), ``planner``/
``render`` (day plans, event dicts), ``generator``/``output`` (entry points).
"""

from __future__ import annotations

from shequn.simulator.config import DEFAULT_START, SimulationConfig
from shequn.simulator.generator import estimate_events, simulate, simulate_labelled
from shequn.simulator.labels import SPAM_MESSAGE_CATEGORIES, Actor, Category, SimLabel
from shequn.simulator.output import write_jsonl
from shequn.simulator.timeline import Lifecycle

__all__ = [
    "DEFAULT_START",
    "SPAM_MESSAGE_CATEGORIES",
    "Actor",
    "Category",
    "Lifecycle",
    "SimLabel",
    "SimulationConfig",
    "estimate_events",
    "simulate",
    "simulate_labelled",
    "write_jsonl",
]
