"""Names of engines and job stages, importable without loading Ibis or pandas (the CLI does)."""

from __future__ import annotations

from enum import StrEnum


class EngineKind(StrEnum):
    """Which engine runs the analytics."""

    STORE = "store"
    DUCKDB = "duckdb"
    SPARK = "spark"


class Stage(StrEnum):
    """Parts of the tag job."""

    PROFILES = "profiles"
    KEYWORDS = "keywords"
    FACTS = "facts"
    INTERESTS = "interests"
    PROPENSITY = "propensity"
    SEGMENTS = "segments"


ALL_STAGES = tuple(Stage)
"""Every stage, in the order the job runs them."""
