"""Ibis, imported in one place: it ships no type information, so its names are ``Any`` here.

Every analytics module takes ``ibis``, ``ir`` (expression types), ``dt`` (data
types) and ``_`` (the deferred column) from this module.
"""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
import ibis.expr.datatypes as dt  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
from ibis import _

__all__ = ["_", "dt", "ibis", "ir"]
