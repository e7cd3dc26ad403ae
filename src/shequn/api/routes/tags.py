"""Tags: the catalog, tag values, profile settings, and running the tag job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from shequn.analytics.kinds import ALL_STAGES, EngineKind, Stage
from shequn.api.deps import AdminKey, StoreDep, Viewer
from shequn.profiles.settings import ProfileSettings, load_settings, parse_settings, save_settings
from shequn.profiles.tags import list_tags, tag_values

router = APIRouter(prefix="/api/v1/tags", tags=["tags"])


class TagPublic(BaseModel):
    """A tag definition and how many members carry it."""

    name: str
    kind: str
    description: str
    rule: str | None
    members: int


class TagValuePublic(BaseModel):
    """One value of a tag and its member count."""

    value: str
    members: int


class TagJobRun(BaseModel):
    """Options for one run of the tag job."""

    engine: EngineKind = EngineKind.STORE
    as_of: datetime | None = None
    stages: list[Stage] | None = None


class TagJobPublic(BaseModel):
    """What a run of the tag job computed."""

    engine: str
    as_of: datetime
    members: int
    tag_rows: int
    segments: dict[str, int]
    layers: dict[str, int]
    lifecycle: dict[str, int]
    rfm: dict[str, int]
    model_fitted: bool
    timings: dict[str, float]


class EvaluationPublic(BaseModel):
    """Out-of-time quality of the purchase-propensity model."""

    auc: float | None
    train_members: int
    train_buyers: int
    test_members: int
    test_buyers: int
    top_decile_buyers: int


@router.get("", response_model=list[TagPublic])
def list_all(principal: Viewer, store: StoreDep) -> list[TagPublic]:
    """Every tag (fact, algorithm, strategy) with its member count."""
    with store.session() as session:
        rows = list_tags(session, workspace_id=principal.workspace_id)
    return [TagPublic.model_validate(row) for row in rows]


@router.get("/settings", response_model=ProfileSettings)
def get_settings(principal: Viewer, store: StoreDep) -> ProfileSettings:
    """RFM bins, activity/layer/lifecycle thresholds, keyword rules and column mappings."""
    with store.session() as session:
        return load_settings(session, workspace_id=principal.workspace_id)


@router.put("/settings", response_model=ProfileSettings)
def put_settings(body: dict[str, Any], principal: AdminKey, store: StoreDep) -> ProfileSettings:
    """Replace the profile settings (fields not given take their defaults)."""
    settings = parse_settings(body)
    with store.session() as session:
        return save_settings(session, workspace_id=principal.workspace_id, settings=settings,
                             actor=f"apikey:{principal.name}")


@router.post("/compute", response_model=TagJobPublic)
def compute(body: TagJobRun, principal: AdminKey, store: StoreDep) -> TagJobPublic:
    """Run the tag job now and wait for it (the CLI's `tags compute --every` schedules it)."""
    from shequn.profiles.tagjob import run_tag_job

    report = run_tag_job(store, principal.workspace_id, engine=body.engine, as_of=body.as_of,
                         stages=body.stages or ALL_STAGES, actor=f"apikey:{principal.name}")
    return TagJobPublic(
        engine=report.engine, as_of=report.as_of, members=report.members,
        tag_rows=report.tag_rows, segments=report.segments, layers=report.layers,
        lifecycle=report.lifecycle, rfm=report.rfm, model_fitted=report.model_fitted,
        timings=report.timings,
    )


@router.get("/evaluate", response_model=EvaluationPublic)
def evaluate(principal: Viewer, store: StoreDep,
             as_of: datetime | None = Query(default=None)) -> EvaluationPublic:
    """Fit the purchase model 60 days back, test it on the last 30 days, report the AUC."""
    from shequn.profiles.tagjob import evaluate_propensity

    result = evaluate_propensity(store, principal.workspace_id, as_of=as_of)
    return EvaluationPublic(**result.__dict__)


@router.get("/{name}/values", response_model=list[TagValuePublic])
def values(name: str, principal: Viewer, store: StoreDep) -> list[TagValuePublic]:
    """Members per value of one tag."""
    with store.session() as session:
        rows = tag_values(session, workspace_id=principal.workspace_id, name=name)
    return [TagValuePublic(value=value, members=count) for value, count in rows]
