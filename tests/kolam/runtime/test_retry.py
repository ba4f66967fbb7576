"""The retry helper, run on a fake clock: no test waits."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kolam.errors import StoreError, StoreUnavailable
from kolam.runtime.retry import RetryOptions, http_transient, retry, retry_after_s


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


def failing(n: int, exc: Exception, value: str = "ok") -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) <= n:
            raise exc
        return value
    return calls, fn


def test_waits_double_up_to_the_cap_with_no_jitter() -> None:
    clock = FakeClock()
    calls, fn = failing(6, StoreUnavailable("locked"))
    opts = RetryOptions(initial_delay_s=0.1, max_delay_s=1.0, jitter=0.0)
    assert retry(fn, opts, transient=StoreUnavailable, clock=clock,
                 sleep=clock.sleep, rand=lambda: 0.5) == "ok"
    assert len(calls) == 7
    assert clock.slept == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])


def test_jitter_spreads_each_wait_around_its_base() -> None:
    opts = RetryOptions(initial_delay_s=1.0, max_delay_s=8.0, jitter=0.5)
    assert opts.delay_s(1, 0.0) == pytest.approx(0.5)
    assert opts.delay_s(1, 0.999999) == pytest.approx(1.5, abs=1e-5)
    assert opts.delay_s(3, 0.5) == pytest.approx(4.0)
    assert opts.delay_s(10_000, 0.5) == pytest.approx(8.0)  # no overflow on long outages


def test_a_permanent_error_is_raised_at_once() -> None:
    clock = FakeClock()
    calls, fn = failing(5, StoreError("InfluxDB refused the write (HTTP 400)"))
    with pytest.raises(StoreError, match="HTTP 400"):
        retry(fn, RetryOptions(), transient=StoreUnavailable,
              clock=clock, sleep=clock.sleep)
    assert len(calls) == 1 and clock.slept == []


def test_max_elapsed_bounds_the_total_wait() -> None:
    clock = FakeClock()
    calls, fn = failing(100, StoreUnavailable("down"))
    opts = RetryOptions(initial_delay_s=1.0, max_delay_s=1.0, max_elapsed_s=3.5, jitter=0.0)
    with pytest.raises(StoreUnavailable):
        retry(fn, opts, transient=(StoreUnavailable,), clock=clock,
              sleep=clock.sleep)
    assert clock.slept == [1.0, 1.0, 1.0] and len(calls) == 4


def test_on_retry_sees_each_failure_and_may_stop_the_loop() -> None:
    clock = FakeClock()
    _, fn = failing(100, StoreUnavailable("down"))
    seen: list[tuple[int, float]] = []

    def on_retry(exc: BaseException, attempt: int, wait_s: float) -> None:
        seen.append((attempt, wait_s))
        if attempt == 3:
            raise RuntimeError("stop") from exc

    with pytest.raises(RuntimeError, match="stop"):
        retry(fn, RetryOptions(initial_delay_s=0.5, max_delay_s=5, jitter=0.0),
              transient=StoreUnavailable, on_retry=on_retry, clock=clock, sleep=clock.sleep)
    assert seen == [(1, 0.5), (2, 1.0), (3, 2.0)]
    assert clock.slept == [0.5, 1.0]


@pytest.mark.parametrize("kwargs", [{"initial_delay_s": 0}, {"max_delay_s": 0.01},
                                    {"jitter": 1.0}, {"multiplier": 0.5},
                                    {"max_elapsed_s": -1}])
def test_nonsense_options_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryOptions(**kwargs)


def test_http_transient_reads_the_status_the_way_every_channel_does() -> None:
    assert [s for s in (200, 302, 400, 401, 403, 404, 408, 422, 429, 500, 502, 503)
            if http_transient(s)] == [200, 302, 408, 429, 500, 502, 503]


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_s("34") == 34.0
    assert retry_after_s("Wed, 21 Oct 2026 07:28:30 GMT",
                         now_s=1792567700.0) == 10.0  # 07:28:20 GMT
    assert retry_after_s("Wed, 21 Oct 2026 07:28:30 GMT", now_s=1792567800.0) == 0.0
    assert retry_after_s(None) is None and retry_after_s("soon") is None
