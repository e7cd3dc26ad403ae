"""The tag job's computation: every profile and tag of one workspace, on one engine.

:func:`compute` takes a backend holding the workspace's data and returns plain
results (a profile frame and a derived-tag frame); it writes nothing, so the
same call serves the store engine, DuckDB, Spark and the benchmark. Stages can
be chosen; a stage that is left out leaves its results empty.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd  # type: ignore[import-untyped]

from shequn.analytics import propensity
from shequn.analytics.backends import Backend
from shequn.analytics.ibisapi import ibis, ir
from shequn.analytics.interests import interest_tags
from shequn.analytics.kinds import ALL_STAGES, Stage
from shequn.analytics.profile import member_profiles
from shequn.analytics.sources import Sources, load_sources
from shequn.analytics.tagging import TAG_COLUMNS, fact_column_tags, keyword_tags
from shequn.domain.enums import TagKind
from shequn.profiles.settings import ProfileSettings
from shequn.segments.compiler import compile_rule

SOURCE_OF = {"keyword": TagKind.FACT, "import": TagKind.FACT, "interests": TagKind.ALGORITHM,
             "segment": TagKind.STRATEGY}
"""member_tag sources the job owns (and replaces each run), with the kind of their tags."""


@dataclass(frozen=True)
class SavedSegment:
    """A strategy tag defined by a rule."""

    name: str
    rule: str


@dataclass
class Computed:
    """What one run of the job found."""

    profiles: pd.DataFrame
    tags: pd.DataFrame
    """member_id, name, value, source."""
    timings: dict[str, float] = field(default_factory=dict)
    model_fitted: bool = False

    def segment_sizes(self) -> dict[str, int]:
        """Members per segment."""
        segments = self.tags[self.tags["source"] == "segment"]
        return {str(k): int(v) for k, v in segments.groupby("name").size().items()}


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.started = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.started
        self.started = now


def _tag_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    frame = frame.loc[:, list(TAG_COLUMNS)].copy()
    frame["member_id"] = frame["member_id"].astype("int64")
    frame["source"] = source
    return frame


def compute(
    backend: Backend,
    workspace_id: int,
    *,
    as_of: int,
    settings: ProfileSettings,
    segments: Sequence[SavedSegment] = (),
    stages: Iterable[Stage] = ALL_STAGES,
) -> Computed:
    """Compute profiles and derived tags of a workspace as of ``as_of`` (epoch seconds)."""
    wanted = set(stages)
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    src = load_sources(backend, workspace_id)

    def profiles_at(moment: int) -> pd.DataFrame:
        frame: pd.DataFrame = backend.frame(member_profiles(src, moment, settings))
        return frame

    profiles, profiles_table = backend.fetch_and_keep(member_profiles(src, as_of, settings))
    clock.lap("profiles")

    scores, potential = pd.Series(dtype="float64"), set[int]()
    model_fitted = False
    if Stage.PROPENSITY in wanted:
        scores, model = propensity.score(src, profiles_at, as_of)
        model_fitted = model is not None
        potential = propensity.potential_buyers(profiles, scores, settings.potential_buyer_share)
        clock.lap("propensity")
    ids = profiles["member_id"].astype("int64")
    profiles["propensity"] = scores.reindex(ids).to_numpy() if len(scores) else None
    profiles["potential_buyer"] = ids.isin(potential).to_numpy()

    parts: list[pd.DataFrame] = []
    keyword_expr = keyword_tags(src, as_of, settings.keywords) if Stage.KEYWORDS in wanted \
        else None
    if keyword_expr is not None:
        parts.append(_tag_frame(backend.frame(keyword_expr), "keyword"))
        clock.lap("keywords")
    if Stage.FACTS in wanted and settings.fact_columns:
        parts.append(_tag_frame(fact_column_tags(src, settings.fact_columns), "import"))
        clock.lap("facts")
    if Stage.INTERESTS in wanted:
        parts.append(_tag_frame(interest_tags(src, as_of, settings.interest_days), "interests"))
        clock.lap("interests")
    derived = pd.concat(parts, ignore_index=True) if parts else _empty_tags()

    if Stage.SEGMENTS in wanted and segments:
        wide = _wide(src, profiles_table, profiles)
        tags = _tags_table(src, derived)
        segment_parts = [
            _segment_members(backend, wide, tags, segment) for segment in segments
        ]
        derived = pd.concat([derived, *segment_parts], ignore_index=True)
        clock.lap("segments")
    return Computed(profiles, derived, timings, model_fitted)


def _empty_tags() -> pd.DataFrame:
    return pd.DataFrame({"member_id": pd.Series(dtype="int64"), "name": pd.Series(dtype=str),
                         "value": pd.Series(dtype=str), "source": pd.Series(dtype=str)})


def _wide(src: Sources, profiles_table: ir.Table, profiles: pd.DataFrame) -> ir.Table:
    """Member facts joined with this run's profile (and propensity, uploaded when computed)."""
    wide = src.members.join(profiles_table, "member_id")
    if profiles["propensity"].notna().any():
        scored = src.backend.upload(profiles.loc[:, ["member_id", "propensity",
                                                     "potential_buyer"]])
        return wide.join(scored, "member_id")
    return wide.mutate(propensity=ibis.null("float64"), potential_buyer=ibis.literal(False))


def _tags_table(src: Sources, derived: pd.DataFrame) -> ir.Table:
    """Tags a rule can test: stored tags the job does not own, plus this run's derived ones."""
    backend = src.backend
    tag, member_tag = backend.table("tag"), backend.table("member_tag")
    stored = member_tag.join(tag, member_tag.tag_id == tag.id).filter(
        (tag.workspace_id == src.workspace_id) & ~member_tag.source.isin(list(SOURCE_OF))
    ).select(member_id=member_tag.member_id.cast("int64"), name=tag.name.cast("string"),
             value=member_tag.value.cast("string"))
    if derived.empty:
        return stored
    fresh = backend.upload(derived.loc[:, list(TAG_COLUMNS)])
    return ibis.union(stored, fresh.select(member_id=fresh.member_id.cast("int64"),
                                           name=fresh.name.cast("string"),
                                           value=fresh.value.cast("string")))


def _segment_members(
    backend: Backend, wide: ir.Table, tags: ir.Table, segment: SavedSegment
) -> pd.DataFrame:
    chosen = wide.filter(compile_rule(segment.rule, wide, tags)).select("member_id")
    frame: pd.DataFrame = backend.frame(chosen)
    frame["name"] = segment.name
    frame["value"] = "1"
    return _tag_frame(frame, "segment")

