"""An account's pace (contracts_ui/fabric/pacing.py): how many of its pages may be in flight, how
a 429 lowers and pauses it, how fetched pages raise it again."""

import time

from contracts_ui.fabric.pacing import AccountPace


def test_it_admits_pages_up_to_its_limit():
    pace = AccountPace(3)
    assert [pace.try_acquire() for _ in range(4)] == [True, True, True, False]
    pace.release(fetched=True)
    assert pace.try_acquire()
    assert pace.in_flight == 3


def test_a_burst_of_429s_halves_it_once_and_pauses_new_pages():
    pace = AccountPace(8)
    assert pace.rate_limited(30) is True
    # The other pages of the same burst meet their 429 too: the limit is not halved again.
    assert [pace.rate_limited(30) for _ in range(5)] == [False] * 5
    assert pace.limit == 4
    assert not pace.try_acquire()
    assert not pace.acquire(time.monotonic())
    assert pace.in_flight == 0


def test_it_never_goes_below_one_page():
    pace = AccountPace(2)
    pace.rate_limited(0)
    pace._lowered_until = 0  # a later burst
    pace.rate_limited(0)
    assert pace.limit == 1
    assert pace.try_acquire()
    assert not pace.try_acquire()


def test_fetched_pages_raise_it_slowly_back_to_its_ceiling():
    pace = AccountPace(8)
    pace.limit = 2.0
    assert pace.try_acquire()
    pace.release(fetched=True)  # + 1/2
    assert pace.limit == 2.5
    for _ in range(3):
        pace.try_acquire()
        pace.release(fetched=True)
    assert 3 < pace.limit < 4
    for _ in range(100):
        pace.try_acquire()
        pace.release(fetched=True)
    assert pace.limit == 8
    pace.try_acquire()
    pace.release(fetched=False)  # a failed page does not raise it
    assert pace.limit == 8
