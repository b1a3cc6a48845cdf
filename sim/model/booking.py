"""Bookings: slots on scheduled departures (trains or sailings), sold up to capacity.

A shipper books when the cargo is ready. The booking goes to the first departure the cargo
can still catch (its cut-off not passed) that has room; if none with room leaves within
``max_delay_h`` of that first catchable departure, the cargo is *turned away* to the competing
route. So a corridor admits no more cargo than its trains (or a sea service its slots) can
carry, and nothing queues for ever at the gate. Departures are booked from the timetable, not
from what the trains end up doing: a train that leaves early, or cargo that misses its
cut-off, makes cargo roll to a later train.

A :class:`Ledger` is plain data and arithmetic; booking costs no simulation event.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Protocol

BOOKED_NONE = -1
"""No departure is left in the timetable: the cargo comes unbooked (only near the horizon)."""
TURNED_AWAY = -2
"""No departure with room within the maximum delay: the cargo goes by the competing route."""


class Bookings(Protocol):
    """What a shipment source needs of a ledger."""

    @property
    def departures(self) -> list[float]: ...

    def book(self, now: float, teu: int) -> int: ...

    def arrival_h(self, now: float, index: int) -> float: ...


class Ledger:
    """Slots left on each departure of one service (times in hours, ascending)."""

    __slots__ = ("cutoff_h", "departures", "max_delay_h", "remaining", "t0_h", "window_h")

    def __init__(
        self,
        departures: Iterable[float],
        capacity_teu: int,
        *,
        cutoff_h: float,
        max_delay_h: float,
        window_h: float | None,
        t0_h: float,
    ) -> None:
        self.departures = [float(d) for d in departures]
        self.remaining = [capacity_teu] * len(self.departures)
        self.cutoff_h = cutoff_h
        self.max_delay_h = max_delay_h
        self.window_h = window_h
        self.t0_h = t0_h

    def book(self, now: float, teu: int) -> int:
        """Book ``teu`` on a departure; its index, :data:`TURNED_AWAY` or :data:`BOOKED_NONE`."""
        deps, n = self.departures, len(self.departures)
        k = bisect_left(deps, now + self.cutoff_h)
        if k == n:
            return BOOKED_NONE
        latest = deps[k] + self.max_delay_h
        remaining = self.remaining
        j = k
        while j < n and deps[j] <= latest:
            if remaining[j] >= teu:
                remaining[j] -= teu
                return j
            j += 1
        return BOOKED_NONE if j == n else TURNED_AWAY

    def cancel(self, index: int, teu: int) -> None:
        """Give back a booking of ``teu`` on departure ``index``."""
        self.remaining[index] += teu

    def arrival_h(self, now: float, index: int) -> float:
        """When cargo booked ``now`` on departure ``index`` reaches the origin terminal.

        With a delivery window, cargo booked since the previous departure comes in booking
        order, spread evenly between ``window_h`` before the departure and its cut-off, never
        before it is ready; without one, it comes at once.
        """
        if self.window_h is None or index < 0:
            return now
        d = self.departures[index]
        prev = self.departures[index - 1] if index > 0 else self.t0_h
        start, end = d - self.window_h, d - self.cutoff_h
        if start <= prev or d <= prev:
            return now
        share = min(max((now - prev) / (d - prev), 0.0), 1.0)
        return max(now, start + share * (end - start))


class ThroughLedger:
    """A through booking: a first leg's departures, then a second leg's, both with room.

    Rail–sea imports book a sailing to the rail–sea port and the train from the port to the
    hub together; the train is booked for the sailing's expected arrival (``lead_h`` after
    it sails: sea transit and port dwell). If either leg has no room in time, neither is kept
    and the cargo is turned away.
    """

    __slots__ = ("first", "lead_h", "second")

    def __init__(self, first: Ledger, second: Ledger, lead_h: float) -> None:
        self.first = first
        self.second = second
        self.lead_h = lead_h

    @property
    def departures(self) -> list[float]:
        return self.first.departures

    def book(self, now: float, teu: int) -> int:
        """Book both legs; the first leg's departure index, or why not (as :meth:`Ledger.book`)."""
        j = self.first.book(now, teu)
        if j < 0:
            return j
        k = self.second.book(self.first.departures[j] + self.lead_h, teu)
        if k == TURNED_AWAY:
            self.first.cancel(j, teu)
        return j if k != TURNED_AWAY else TURNED_AWAY

    def arrival_h(self, now: float, index: int) -> float:
        return self.first.arrival_h(now, index)
