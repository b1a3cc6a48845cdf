"""Bookings on timetabled departures: capacity, cut-offs, turning cargo away, delivery windows."""

from __future__ import annotations

import pytest

from sim.model.booking import BOOKED_NONE, TURNED_AWAY, Ledger, ThroughLedger


def ledger(deps, capacity=10, *, cutoff=2.0, max_delay=100.0, window=None, t0=0.0):
    return Ledger(deps, capacity, cutoff_h=cutoff, max_delay_h=max_delay, window_h=window, t0_h=t0)


def test_cargo_books_the_first_train_whose_cut_off_it_can_make():
    book = ledger([10.0, 20.0, 30.0])
    assert book.book(0.0, 1) == 0
    assert book.book(8.0, 1) == 0  # cut-off at 8: just in time
    assert book.book(8.5, 1) == 1  # missed it: the next train
    assert book.remaining == [8, 9, 10]


def test_a_full_train_sends_cargo_to_the_next_with_room_within_the_maximum_delay():
    book = ledger([10.0, 20.0, 30.0], capacity=3, max_delay=10.0)
    assert [book.book(0.0, 2) for _ in range(3)] == [0, 1, TURNED_AWAY]
    # the third shipment would have had to wait for the train at 30: 20 h after the first
    assert book.book(0.0, 1) == 0  # but a 1-TEU box still fits on the first
    assert book.remaining == [0, 1, 3]


def test_cargo_after_the_last_departure_is_not_turned_away_but_unbooked():
    book = ledger([10.0])
    assert book.book(50.0, 1) == BOOKED_NONE
    full = ledger([10.0], capacity=1, max_delay=1000)
    full.book(0.0, 1)
    assert full.book(0.0, 1) == BOOKED_NONE  # ran out of timetable, not of patience


def test_booked_cargo_arrives_in_the_window_before_its_train_in_booking_order():
    book = ledger([100.0, 500.0], capacity=100, cutoff=12, window=72, max_delay=1000)
    # booked for the train at 100: spread over [28, 88] by booking time since t0 = 0
    for t, expected in ((5.0, 28 + 60 * 5 / 100), (50.0, 28 + 60 * 50 / 100), (87.0, 87.0)):
        k = book.book(t, 1)
        assert k == 0
        assert book.arrival_h(t, k) == pytest.approx(max(t, expected))
    # for the train at 500 (previous at 100): over [428, 488]
    k = book.book(300.0, 1)
    assert k == 1
    assert book.arrival_h(300.0, k) == pytest.approx(428 + 60 * 200 / 400)


def test_without_a_window_cargo_comes_at_once():
    book = ledger([100.0], window=None)
    assert book.arrival_h(5.0, book.book(5.0, 1)) == 5.0


def test_a_through_booking_needs_room_on_both_legs_and_keeps_neither_otherwise():
    sea = ledger([10.0, 200.0], capacity=5, cutoff=0, max_delay=500)
    rail = ledger([40.0, 1000.0], capacity=2, cutoff=0, max_delay=50)
    through = ThroughLedger(sea, rail, lead_h=20.0)  # lands at 30, train at 40
    assert through.book(0.0, 2) == 0
    assert rail.remaining == [0, 2]
    # sailing 0 has room, but the train after it is full and the next is 960 h later
    assert through.book(0.0, 1) == TURNED_AWAY
    assert sea.remaining == [3, 5]  # the sailing's slot was given back
