"""Running the tag job for a workspace: compute on an engine, write back to the store.

Everything the job produces for a workspace is replaced in one transaction —
the ``member_profile`` rows and the ``member_tag`` rows of the sources the job
owns — with an audit record, so a reader sees the old results or the new ones,
never a mix. Tags an operator set by hand (other sources) are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.orm import Session

from shequn.analytics import propensity
from shequn.analytics.backends import open_backend
from shequn.analytics.job import SOURCE_OF, Computed, SavedSegment, compute
from shequn.analytics.kinds import ALL_STAGES, EngineKind, Stage
from shequn.analytics.profile import PROFILE_COLUMNS, member_profiles
from shequn.analytics.sources import load_sources
from shequn.domain.enums import TagKind
from shequn.profiles.settings import load_settings
from shequn.profiles.tags import COLUMN_TAGS, ensure_tags
from shequn.store.models import AuditLog, MemberProfile, MemberTag, Tag
from shequn.store.sql import table_of
from shequn.store.store import Store
from shequn.store.types import utcnow

_PROFILES = table_of(MemberProfile)
_MEMBER_TAGS = table_of(MemberTag)
_TAGS = table_of(Tag)
_CHUNK = 5000


@dataclass
class TagJobReport:
    """What a run did."""

    workspace_id: int
    engine: str
    as_of: datetime
    members: int
    tag_rows: int
    segments: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    model_fitted: bool = False
    layers: dict[str, int] = field(default_factory=dict)
    lifecycle: dict[str, int] = field(default_factory=dict)
    rfm: dict[str, int] = field(default_factory=dict)


def saved_segments(session: Session, *, workspace_id: int) -> list[SavedSegment]:
    """The workspace's segments (strategy tags with a rule)."""
    rows = session.execute(
        select(Tag.name, Tag.rule).where(Tag.workspace_id == workspace_id,
                                         Tag.kind == TagKind.STRATEGY.value,
                                         Tag.rule.isnot(None)).order_by(Tag.name)
    )
    return [SavedSegment(name, rule) for name, rule in rows if rule]


def run_tag_job(
    store: Store,
    workspace_id: int,
    *,
    engine: EngineKind = EngineKind.STORE,
    as_of: datetime | None = None,
    stages: Iterable[Stage] = ALL_STAGES,
    actor: str = "tag job",
) -> TagJobReport:
    """Compute every profile and tag of the workspace and store them."""
    moment = (as_of or utcnow()).astimezone(UTC)
    with store.session() as session:
        settings = load_settings(session, workspace_id=workspace_id)
        segments = saved_segments(session, workspace_id=workspace_id)
    backend = open_backend(engine, store, workspace_id)
    try:
        computed = compute(backend, workspace_id, as_of=int(moment.timestamp()),
                           settings=settings, segments=segments, stages=stages)
    finally:
        backend.close()
    with store.transaction() as connection:
        write_results(connection, workspace_id, computed, computed_at=moment, actor=actor,
                      engine=engine.value)
    profiles = computed.profiles

    def counts(column: str) -> dict[str, int]:
        return {str(k): int(v) for k, v in profiles[column].value_counts().items()}

    return TagJobReport(
        workspace_id, engine.value, moment, len(profiles), len(computed.tags),
        computed.segment_sizes(), computed.timings, computed.model_fitted,
        counts("layer"), counts("lifecycle"), counts("rfm_segment"),
    )


def _clean(value: Any) -> Any:
    """numpy / pandas scalars as plain Python values, NaN as None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_results(connection: Connection, workspace_id: int, computed: Computed, *,
                  computed_at: datetime, actor: str, engine: str) -> None:
    """Replace the workspace's profiles and job-owned tags with ``computed``."""
    # One value per member and tag: the first source to name it wins (member_tag is unique).
    tags = computed.tags.drop_duplicates(["member_id", "name"])
    definitions = [(c.name, c.kind, c.description) for c in COLUMN_TAGS]
    for source, kind in SOURCE_OF.items():
        names = tags.loc[tags["source"] == source, "name"].unique()
        definitions.extend((str(name), kind, "") for name in names)
    tag_ids = ensure_tags(connection, workspace_id, definitions)

    connection.execute(delete(_PROFILES).where(_PROFILES.c.workspace_id == workspace_id))
    columns = [*PROFILE_COLUMNS, "propensity", "potential_buyer"]
    records = computed.profiles.loc[:, columns].to_dict("records")
    for start in range(0, len(records), _CHUNK):
        rows = [
            {**{k: _clean(v) for k, v in record.items()}, "workspace_id": workspace_id,
             "computed_at": computed_at}
            for record in records[start:start + _CHUNK]
        ]
        connection.execute(insert(_PROFILES), rows)

    owned = select(_TAGS.c.id).where(_TAGS.c.workspace_id == workspace_id)
    connection.execute(delete(_MEMBER_TAGS).where(
        _MEMBER_TAGS.c.tag_id.in_(owned), _MEMBER_TAGS.c.source.in_(list(SOURCE_OF))))
    tag_rows = [
        {"workspace_id": workspace_id, "member_id": int(member_id), "tag_id": tag_ids[name[:128]],
         "value": str(value)[:256], "source": source, "assigned_at": computed_at}
        for member_id, name, value, source in tags.itertuples(index=False, name=None)
    ]
    for start in range(0, len(tag_rows), _CHUNK):
        connection.execute(insert(_MEMBER_TAGS), tag_rows[start:start + _CHUNK])
    connection.execute(insert(table_of(AuditLog)).values(
        workspace_id=workspace_id, actor=actor, action="tags.compute", target="",
        details={"engine": engine, "as_of": computed_at.isoformat(),
                 "members": len(computed.profiles), "tags": len(tag_rows),
                 "segments": computed.segment_sizes()},
        created_at=utcnow(),
    ))


def evaluate_propensity(
    store: Store, workspace_id: int, *, engine: EngineKind = EngineKind.STORE,
    as_of: datetime | None = None,
) -> propensity.Evaluation:
    """Out-of-time check of the purchase model: fit 60 days back, test on the last 30."""
    moment = int((as_of or utcnow()).timestamp())
    with store.session() as session:
        settings = load_settings(session, workspace_id=workspace_id)
    backend = open_backend(engine, store, workspace_id)
    try:
        src = load_sources(backend, workspace_id)

        def profiles_at(at: int) -> pd.DataFrame:
            frame: pd.DataFrame = backend.frame(member_profiles(src, at, settings))
            return frame

        return propensity.evaluate(src, profiles_at, moment)
    finally:
        backend.close()
