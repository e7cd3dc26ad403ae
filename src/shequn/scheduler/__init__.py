"""The persistent scheduler: engagement jobs and the content timeline (群SOP), exactly once."""

from shequn.scheduler.runner import Scheduler, SchedulerConfig, TickResult

__all__ = ["Scheduler", "SchedulerConfig", "TickResult"]
