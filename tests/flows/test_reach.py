"""How far an application got: the furthest state it has been in, along its track's funnel."""

from __future__ import annotations

from flows.reach import funnel_order, further, rank


def test_the_funnel_lists_the_intake_the_track_the_summary_and_the_outcome() -> None:
    order = funnel_order("uk_individual")
    assert order[:4] == ["language", "market", "track", "id_document"]
    assert order[-3:] == ["review", "submitted", "approved"]
    assert funnel_order(None) == ["language", "market", "track", "review", "submitted", "approved"]


def test_going_back_to_an_earlier_step_keeps_the_furthest_one() -> None:
    assert further("uk_individual", "language", "market") == "market"
    assert further("uk_individual", "products", "phone") == "products"
    assert further("uk_individual", "submitted", "review") == "submitted"
    assert further("uk_individual", "submitted", "approved") == "approved"


def test_a_rejection_is_passed_through_not_reached() -> None:
    assert further("uk_individual", "submitted", "rejected") == "submitted"


def test_after_a_change_of_track_the_new_tracks_steps_count_from_the_intake() -> None:
    # ``nik`` is an Indonesian step: on a UK track it ranks as the intake's last step
    assert rank(funnel_order("uk_individual"), "nik") == rank(funnel_order(None), "track")
    assert further("uk_individual", "nik", "id_document") == "id_document"
    assert further("uk_individual", "nik", "market") == "nik"
