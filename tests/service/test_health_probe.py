"""The health check's probe (service.api.health.Probe): checks that arrive together
share the ping in flight, and a stuck ping still gives a quick 503."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from service.api.health import Probe


def test_checks_at_the_same_moment_share_one_ping_and_all_pass():
    # before: a second check while a ping was in progress answered 503 at once (a
    # benchmark under load saw one health check in twenty fail with a healthy store)
    probe, calls = Probe(), []

    def ping():
        calls.append(1)
        time.sleep(0.3)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: probe.check(ping, timeout=5), range(8)))
    assert answers == [None] * 8
    assert len(calls) < 8  # they waited on a ping in flight rather than each sending one


def test_a_stuck_ping_answers_within_its_deadline_and_later_checks_at_once():
    probe, release = Probe(), threading.Event()

    def stuck():
        release.wait(10)

    try:
        start = time.monotonic()
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: probe.check(stuck, timeout=0.5), range(2)))
        assert all("did not answer within 0.5 s" in a for a in answers), answers
        assert time.monotonic() - start < 2  # both at the one deadline, not one after another
        start = time.monotonic()
        assert "has not returned yet" in probe.check(stuck, timeout=0.5)
        assert time.monotonic() - start < 0.2  # no new thread, no new wait
    finally:
        release.set()
    time.sleep(0.1)
    assert probe.check(lambda: None, timeout=0.5) is None  # recovered
