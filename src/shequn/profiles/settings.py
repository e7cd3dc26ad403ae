"""Per-workspace profile settings: RFM bins, activity, layer and lifecycle thresholds, rules.

Operators tune these at run time; they live in ``workspace.settings["profiles"]``
and every computation reads them from there, never from constants.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from shequn.errors import InputError
from shequn.store.models import AuditLog, Workspace

RFM_SEGMENTS = (
    "champions", "loyal", "potential_loyalists", "new", "promising", "need_attention",
    "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost",
)
"""The named RFM segments."""

# Rows are R = 5 … 1, columns FM = 1 … 5 (FM is the floor of (F + M) / 2).
DEFAULT_SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    ("promising", "potential_loyalists", "loyal", "champions", "champions"),
    ("about_to_sleep", "need_attention", "need_attention", "loyal", "loyal"),
    ("hibernating", "about_to_sleep", "at_risk", "at_risk", "cant_lose"),
    ("lost", "hibernating", "at_risk", "cant_lose", "cant_lose"),
)

_STRICT = ConfigDict(extra="forbid", frozen=True)


class RfmSettings(BaseModel):
    """How orders become R, F and M scores and named segments."""

    model_config = _STRICT
    cuts: tuple[float, ...] = Field(
        default=(0.2, 0.4, 0.6, 0.8),
        description="Quantile cut points; a score is 1 + the number of cuts at or below the "
                    "member's rank share, so four cuts give scores 1-5",
    )
    grid: tuple[tuple[str, ...], ...] = DEFAULT_SEGMENT_GRID
    aov_bands: tuple[float, ...] = Field(
        default=(100.0, 300.0, 1000.0), description="Average order value band edges (currency)"
    )
    aov_names: tuple[str, ...] = ("low", "medium", "high", "premium")

    @field_validator("cuts")
    @classmethod
    def _increasing(cls, cuts: tuple[float, ...]) -> tuple[float, ...]:
        if not cuts or any(not 0 < c < 1 for c in cuts) or list(cuts) != sorted(set(cuts)):
            raise ValueError("cuts must be increasing numbers between 0 and 1")
        return cuts

    @model_validator(mode="after")
    def _shapes(self) -> RfmSettings:
        scores = len(self.cuts) + 1
        if len(self.grid) != scores or any(len(row) != scores for row in self.grid):
            raise ValueError(f"grid must be {scores}x{scores} (one row per R score, "
                             "one column per FM score)")
        unknown = {name for row in self.grid for name in row} - set(RFM_SEGMENTS)
        if unknown:
            raise ValueError(f"unknown segment names in grid: {sorted(unknown)}")
        if len(self.aov_names) != len(self.aov_bands) + 1:
            raise ValueError("aov_names needs one name more than aov_bands has edges")
        return self

    @property
    def top_score(self) -> int:
        """The best score (5 with the default cuts)."""
        return len(self.cuts) + 1

    def cut_basis_points(self) -> tuple[int, ...]:
        """Cuts in 1/10,000 so scoring compares integers exactly on every engine."""
        return tuple(round(c * 10_000) for c in self.cuts)

    def segment(self, r: int, fm: int) -> str:
        """The segment of an (R, FM) pair."""
        return self.grid[self.top_score - r][fm - 1]


class ActivitySettings(BaseModel):
    """What counts as high, medium and low activity."""

    model_config = _STRICT
    high_days: int = Field(default=10, ge=1, description="Speaking days in 30 for 'high'")
    medium_days: int = Field(default=3, ge=1, description="Speaking days in 30 for 'medium'")
    timezone_hours: int = Field(default=8, ge=-12, le=14, description="Days start at this "
                                "UTC offset (UTC+8 for China)")


class LayerSettings(BaseModel):
    """The operators' three layers and the lurker / giveaway flags."""

    model_config = _STRICT
    core_order_days: int = Field(default=365, ge=1, description="A paid order this recent "
                                 "makes a buyer core")
    core_speaking_days: int = Field(default=8, ge=1)
    core_min_tenure_days: int = Field(default=14, ge=0)
    intention_speaking_days: int = Field(default=1, ge=1)
    lurker_min_tenure_days: int = Field(default=14, ge=0)
    giveaway_window_days: int = Field(default=2, ge=0, description="Joined this long before "
                                      "a red envelope / prize draw")
    giveaway_leave_days: int = Field(default=3, ge=0, description="…and left within this long "
                                     "after it")


class LifecycleSettings(BaseModel):
    """Day thresholds of the lifecycle stages."""

    model_config = _STRICT
    new_days: int = Field(default=7, ge=0)
    active_days: int = Field(default=14, ge=1)
    dormant_days: int = Field(default=30, ge=1, description="Inactive longer than active_days "
                              "and up to this is at-risk; longer is dormant")
    churned_days: int = Field(default=90, ge=1)
    won_back_gap_days: int = Field(default=30, ge=1)
    won_back_window_days: int = Field(default=14, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> LifecycleSettings:
        if not self.active_days < self.dormant_days < self.churned_days:
            raise ValueError("need active_days < dormant_days < churned_days")
        if self.won_back_window_days > self.won_back_gap_days:
            raise ValueError("need won_back_window_days <= won_back_gap_days (a return is "
                             "recent, the absence before it long)")
        return self


class KeywordRule(BaseModel):
    """Members who say any of ``keywords`` get the tag ``tag``."""

    model_config = _STRICT
    tag: str = Field(min_length=1, max_length=120, pattern=r"^[^\s]+$")
    keywords: tuple[str, ...] = Field(min_length=1)

    @field_validator("keywords")
    @classmethod
    def _clean(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(dict.fromkeys(w.strip().lower() for w in words if w.strip()))
        if not cleaned:
            raise ValueError("a keyword rule needs at least one non-blank keyword")
        return cleaned


class FactColumn(BaseModel):
    """An imported attribute column that becomes a fact tag."""

    model_config = _STRICT
    column: str = Field(min_length=1)
    tag: str = Field(min_length=1, max_length=120)
    separator: str | None = Field(default=None, description="Split multi-valued cells; each "
                                  "piece becomes the tag 'TAG:piece'")


class ProfileSettings(BaseModel):
    """Everything the tag job reads from the workspace."""

    model_config = _STRICT
    rfm: RfmSettings = RfmSettings()
    activity: ActivitySettings = ActivitySettings()
    layer: LayerSettings = LayerSettings()
    lifecycle: LifecycleSettings = LifecycleSettings()
    keywords: tuple[KeywordRule, ...] = ()
    fact_columns: tuple[FactColumn, ...] = (
        FactColumn(column="interests", tag="stated_interest", separator="|"),
    )
    interest_days: int = Field(default=90, ge=1, description="Window of messages read for "
                               "interest terms")
    potential_buyer_share: float = Field(default=0.1, gt=0, le=1)


def _workspace(session: Session, workspace_id: int) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.id == workspace_id))
    if workspace is None:
        raise InputError(f"no workspace {workspace_id}")
    return workspace


def parse_settings(data: dict[str, Any]) -> ProfileSettings:
    """Validate settings data, turning problems into an InputError that names the field."""
    try:
        return ProfileSettings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(settings)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InputError(f"invalid profile settings: {problems}") from exc


def load_settings(session: Session, *, workspace_id: int) -> ProfileSettings:
    """The workspace's profile settings (defaults for anything not set)."""
    return parse_settings(_workspace(session, workspace_id).settings.get("profiles", {}))


def save_settings(
    session: Session, *, workspace_id: int, settings: ProfileSettings, actor: str
) -> ProfileSettings:
    """Store the workspace's profile settings (audited in the same transaction)."""
    workspace = _workspace(session, workspace_id)
    stored = settings.model_dump(mode="json", exclude_defaults=True)
    workspace.settings = {**workspace.settings, "profiles": stored}
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="profiles.settings",
                         target="", details=stored))
    return settings
