"""The analysis cache: per-version results, and forget() leaving nothing behind."""

from __future__ import annotations

from service.cache import AnalysisCache


def test_results_are_kept_per_version_and_older_ones_dropped():
    cache = AnalysisCache()
    assert cache.get_or_compute("m", 1, ("a",), lambda: "v1") == "v1"
    assert cache.get_or_compute("m", 1, ("a",), lambda: "again") == "v1"  # a hit
    assert cache.get_or_compute("m", 2, ("a",), lambda: "v2") == "v2"
    assert [k for k in cache._items if k[0] == "m"] == [("m", 2, "a")]


def test_forget_drops_every_result_of_the_map_only():
    cache = AnalysisCache()
    cache.get_or_compute("m", 1, ("a",), lambda: 1)
    cache.get_or_compute("m", 1, ("b",), lambda: 2)
    cache.get_or_compute("other", 1, ("a",), lambda: 3)
    cache.forget("m")
    assert list(cache._items) == [("other", 1, "a")]


def test_a_computation_running_when_forget_is_called_is_not_cached():
    """An analysis that read the map before an erasure finishes after it: its result
    still holds the erased person, so it must not be kept (nor served later, e.g. to a
    map created again under the same id, whose versions start again)."""
    cache = AnalysisCache()

    def erased_meanwhile():
        cache.forget("m")  # the erasure lands while this computation runs
        return "holds the erased person"

    assert cache.get_or_compute("m", 3, (), erased_meanwhile) == "holds the erased person"
    assert cache._items == {}
    assert cache.get_or_compute("m", 3, (), lambda: "fresh") == "fresh"
    assert cache.get_or_compute("m", 3, (), lambda: "not needed") == "fresh"  # cached now
