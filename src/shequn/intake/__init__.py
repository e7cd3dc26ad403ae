"""Intake: validate, dedupe, resolve, decide and store events in one transaction."""

from shequn.intake.service import IngestResult, Intake

__all__ = ["IngestResult", "Intake"]
