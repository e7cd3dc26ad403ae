"""The benchmark's data path and hold-out split (slow: reads the shared corpora in place)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from shequn.moderation.classifier.datasets import read_labelled
from shequn.moderation.normalize import normalize

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "moderation.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("moderation_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_grouped_split_keeps_duplicates_on_one_side() -> None:
    bench = load_benchmark()
    path = bench.data_dir() / bench.FILES["en"]
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    rows = read_labelled(path)
    train_rows, test_rows = bench.split(rows, grouped=True)
    assert len(train_rows) + len(test_rows) == len(rows)
    assert 0.15 < len(test_rows) / len(rows) < 0.25
    seen = {normalize(r.text).squeezed for r in train_rows}
    assert not any(normalize(r.text).squeezed in seen for r in test_rows)
    again = bench.split(rows, grouped=True)[1]
    assert again == test_rows  # fixed seed: the same split every run


def test_data_dir_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHEQUN_SPAM_DATA", str(tmp_path))
    assert load_benchmark().data_dir() == tmp_path
