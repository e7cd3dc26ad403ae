"""The decision engine: pure functions from events to actions."""

from shequn.engine.context import Context, GroupInfo, MemberInfo
from shequn.engine.pipeline import Handler, Pipeline, default_pipeline

__all__ = ["Context", "GroupInfo", "Handler", "MemberInfo", "Pipeline", "default_pipeline"]
