"""The control loops' problems in the gateway's outbox: kept until the centre has them, in
order, once each; still raised after a restart, and then cleared by the loop's own rules."""

from __future__ import annotations

from pathlib import Path

from gateway.control import Problem
from gateway.outbox import Outbox
from kolam.control import AeratorProblem, decode_problem
from kolam.protocol import DeviceRef, RelayState, Sample
from tests.gateway.test_control import DAY, MIN, Sent, controller, on_since

T = 1_764_291_600_000


def event(n: int, problem: str, raised: bool) -> AeratorProblem:
    return AeratorProblem(f"event-{n:04d}", "kolam-1", "relay-1", "aerator-1", problem, raised,
                          T + n * MIN)


def test_problems_wait_in_order_until_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    for e in (event(1, "do_still_falling", True), event(1, "do_still_falling", True),
              event(2, "not_confirmed", True), event(3, "not_confirmed", False)):
        outbox.add_problem(e)
    pending = [p for p in outbox.pending_statuses() if p.kind == "problem"]
    assert [decode_problem(p.payload).event_id for p in pending] == [
        "event-0001", "event-0002", "event-0003"]
    assert outbox.unsent_problems() == 3
    outbox.mark_status_sent(0, pending[0].version, "problem")
    assert outbox.unsent_problems() == 2
    assert [(p.problem, p.raised) for p in outbox.active_problems()] == [
        ("do_still_falling", True)]
    outbox.close()
    reopened = Outbox(tmp_path / "outbox.db")
    assert reopened.unsent_problems() == 2 and len(reopened.problems()) == 3
    reopened.close()


def test_a_restored_problem_is_cleared_by_the_loop_not_raised_again() -> None:
    sent, now = Sent(), [DAY]
    ctl = controller(sent, now)
    changes: list[tuple[str, Problem, bool]] = []
    ctl.on_problem = lambda pond, loop, problem, raised: changes.append(
        (pond, problem, raised))
    ctl.restore_problems([("kolam-1", "relay-1", "aerator-1", "do_still_falling"),
                          ("kolam-1", "relay-1", "aerator-1", "not_confirmed"),
                          ("kolam-9", "relay-1", "aerator-1", "no_current")])
    assert ctl.problems() == {"relay-1/aerator-1": {Problem.DO_STILL_FALLING,
                                                   Problem.NOT_CONFIRMED}}
    relay = DeviceRef("serang", "kolam-1", "relay-1")
    node = DeviceRef("serang", "kolam-1", "node-1")
    ctl.observe([(node, Sample(DAY, {"do_mgl": 2.5}))], [],
                [(relay, RelayState({"aerator-1": on_since(DAY - 60 * MIN, 2.0)}))], [])
    ctl.step()
    # Nothing is pending any more (the relay runs, as the loop wants): not_confirmed goes;
    # the aerator runs and DO has not risen yet: do_still_falling stays, not raised again.
    assert changes == [("kolam-1", Problem.NOT_CONFIRMED, False)]
    now[0] = DAY + MIN
    ctl.observe([(node, Sample(DAY + MIN, {"do_mgl": 2.5}))], [], [], [])
    ctl.step()
    now[0] = DAY + 2 * MIN
    ctl.observe([(node, Sample(DAY + 2 * MIN, {"do_mgl": 2.8}))], [], [], [])
    ctl.step()
    assert changes[1:] == [("kolam-1", Problem.DO_STILL_FALLING, False)]
    assert ctl.problems() == {}


def test_old_acknowledged_events_go_but_each_outputs_newest_stays(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.add_problem(event(1, "no_current", True))
    outbox.add_problem(event(2, "no_current", False))
    outbox.add_problem(event(3, "do_still_falling", True))
    for p in outbox.pending_statuses():
        outbox.mark_status_sent(0, p.version, p.kind)
    later = AeratorProblem("event-0099", "kolam-2", "relay-2", "aerator-1", "no_current",
                           True, T + 40 * 86_400_000)
    outbox.add_problem(later)
    assert [p.event_id for p in outbox.problems()] == ["event-0002", "event-0003",
                                                       "event-0099"]
    assert [p.event_id for p in outbox.active_problems()] == ["event-0003", "event-0099"]
    outbox.close()
