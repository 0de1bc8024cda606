"""50 updates from one seller at once (taps and texts mixed, some delivered twice), in one
process: the result equals a serial replay of the same updates, and equals a serial run
without the repeated deliveries, so each accepted answer is applied exactly once.

On both databases (the ``engine`` fixture): per-seller ordering is the update processor's,
the database lock and the version check are each backend's own. The same updates across
two bot processes: ``test_one_seller_two_processes``.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tests.reliability.driver import Driver
from tests.reliability.one_seller import ANSWERS, sequence


def test_fifty_concurrent_updates_equal_a_serial_replay(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        concurrent, serial, once = 1_111, 2_222, 3_333
        for user_id in (concurrent, serial, once):
            driver.seller_at(user_id, "uk_individual", "id_document", ANSWERS)
        driver.push(*sequence(driver, concurrent, repeats=True))
        for update in sequence(driver, serial, repeats=True):
            driver.push(update)
        accepted = 0
        for update in sequence(driver, once, repeats=False):
            before = driver.state(once)[2]
            driver.push(update)
            accepted += driver.state(once)[2] != before
        result = driver.state(concurrent)
        assert result == driver.state(serial)
        assert result == driver.state(once)  # a repeated delivery changed nothing
        state, answers, version, _track, _locale, steps = result
        assert state == "review" and len(answers["products"]) == 2
        assert version - 1 == accepted  # every accepted answer written once, none twice
        assert len(steps) >= 5 and steps[-1] == ("products", "review")
    finally:
        driver.close()
