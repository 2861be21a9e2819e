"""`--engine ray` gives the same Report as the local engine, byte for byte, in the input order.

Skipped where Ray is not installed (it is the optional extra ``resonance[ray]``). Uses the shipped
English models when they are there (each Ray actor then loads them once), else the stand-in models
of conftest.py, shipped to the actors by value.
"""
from __future__ import annotations

import sys

import pytest

from resonance.classifiers.bundle import ShippedModels
from resonance.config import Config
from resonance.engines import score_paths

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

EPISODES = """EPISODE 1

INT. KITCHEN - NIGHT

MARY
You lied to me. About everything!

JOHN
I did it for us.

Mary throws the {thing} across the room.

EPISODE 2

EXT. ROOFTOP - DAY

JOHN
Twenty years. I waited twenty years for this.

MARY
Then wait a little longer.
"""


def _shipped_english_models() -> bool:
    try:
        ShippedModels().versions_for("en")
    except Exception:  # a model folder is missing or unreadable
        return False
    return True


@pytest.fixture(scope="module")
def local_ray():
    try:
        ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    except Exception as err:  # pragma: no cover - a machine where Ray cannot start at all
        pytest.skip(f"cannot start a local Ray: {err}")
    yield
    ray.shutdown()


@pytest.fixture
def scripts(tmp_path):
    paths = []
    for name, thing in (("ring", "ring"), ("phone", "phone"), ("glass", "glass of wine")):
        path = tmp_path / f"{name}.txt"
        path.write_text(EPISODES.format(thing=thing), encoding="utf-8")
        paths.append(path)
    missing = tmp_path / "missing.txt"
    return [paths[0], missing, paths[1], paths[2]]


def test_ray_engine_gives_the_local_report_byte_for_byte(local_ray, scripts, stand_in_models):
    models = None
    if not _shipped_english_models():
        ray.cloudpickle.register_pickle_by_value(sys.modules[type(stand_in_models).__module__])
        models = stand_in_models
    local = score_paths(scripts, engine="local", config=Config(), models=models)
    remote = score_paths(scripts, engine="ray", config=Config(), models=models, workers=2)

    assert [s.source for s in remote.scripts] == [str(p) for p in scripts if p.exists()]
    assert [e["source"] for e in remote.errors] == [str(scripts[1])]
    assert remote.to_json() == local.to_json()
