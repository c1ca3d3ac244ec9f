"""``pipelines.gc_tuning``: a run collects rarely, and the process is as it was afterwards."""

from __future__ import annotations

import gc

from pipelines.gc_tuning import RUN_THRESHOLDS, collected_rarely
from pipelines.resources import AigripResource


def test_thresholds_during_a_run_and_restored_after_nesting():
    before = gc.get_threshold()
    with collected_rarely():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_freeze_count() > 0  # what existed before the run is not scanned
        with collected_rarely():  # a CLI run whose resource enters too
            assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_threshold() == RUN_THRESHOLDS  # the inner exit does not restore
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_when_the_run_fails():
    before = gc.get_threshold()
    try:
        with collected_rarely():
            raise RuntimeError("bron kapot")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_materialised_run_restores_the_collector(demo_config):
    """The resource enters it for every run, however started; afterwards the thresholds are back."""
    from dagster import asset, materialize

    cfg = demo_config
    seen = []

    @asset
    def probe(aigrip: AigripResource):
        seen.append(gc.get_threshold())

    before = gc.get_threshold()
    assert materialize([probe], resources={"aigrip": AigripResource(config_path=str(cfg))}).success
    assert seen == [RUN_THRESHOLDS]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
