"""The ACL model both brokers enforce: matching, the grants of each kind of login, and
the file Mosquitto reads (written and read back)."""

from __future__ import annotations

import pytest

from kolam.broker.acl import (
    Access,
    Acl,
    Grant,
    ServiceRole,
    client_id_allowed,
    device_grants,
    device_username,
    filter_within,
    parse_acl,
    render_acl,
    service_grants,
    topic_matches,
)
from kolam.broker.acl import Account as BrokerAccount
from kolam.protocol import DeviceRef

A = DeviceRef("serang", "kolam-1", "node-a")
B = DeviceRef("serang", "kolam-2", "node-b")


@pytest.mark.parametrize(("pattern", "topic", "expected"), [
    ("a/b/c", "a/b/c", True),
    ("a/+/c", "a/b/c", True),
    ("a/+/c", "a/b/d", False),
    ("a/#", "a", True),
    ("a/#", "a/b/c", True),
    ("a/+", "a/b/c", False),
    ("a/b", "a/b/c", False),
    ("a/b/c", "a/b", False),
    ("#", "$SYS/broker/uptime", False),
    ("+/x", "$SYS/x", False),
])
def test_topic_matches(pattern: str, topic: str, expected: bool) -> None:
    assert topic_matches(pattern, topic) is expected


@pytest.mark.parametrize(("requested", "pattern", "expected"), [
    ("a/b/c", "a/b/c", True),
    ("a/+/c", "a/+/c", True),
    ("a/+/c", "a/b/c", False),       # asks for more than granted
    ("a/b/c", "a/+/c", True),
    ("a/#", "a/b/#", False),
    ("a/b/#", "a/#", True),
    ("a/b/c/#", "a/+/c/#", True),
    ("#", "a/#", False),
    ("a/b", "a/b/c", False),
    ("a/b/c", "a/b", False),
    ("$SYS/#", "#", False),
])
def test_filter_within(requested: str, pattern: str, expected: bool) -> None:
    assert filter_within(requested, pattern) is expected


def _acl() -> Acl:
    return Acl({device_username(r.site, r.device): device_grants(r) for r in (A, B)}
               | {"ingest": service_grants(ServiceRole.INGEST, None),
                  "gw": service_grants(ServiceRole.GATEWAY, "serang"),
                  "api": service_grants(ServiceRole.API, "serang")})


def test_a_device_writes_and_reads_only_its_own_topics() -> None:
    acl, me = _acl(), "serang.node-a"
    assert acl.can_publish(me, "kolam/v1/serang/kolam-1/node-a/telemetry")
    assert acl.can_publish(me, "kolam/v1/serang/kolam-1/node-a/status")
    assert not acl.can_publish(me, "kolam/v1/serang/kolam-1/node-a/cmd")
    assert not acl.can_publish(me, "kolam/v1/serang/kolam-2/node-b/telemetry")
    assert not acl.can_publish(me, "kolam/v1/serang/kolam-2/node-a/telemetry")
    assert acl.can_subscribe(me, "kolam/v1/serang/kolam-1/node-a/cmd")
    assert not acl.can_subscribe(me, "kolam/v1/serang/kolam-1/+/cmd")
    assert not acl.can_subscribe(me, "kolam/v1/#")
    assert not acl.can_receive(me, "kolam/v1/serang/kolam-2/node-b/cmd")
    assert not acl.can_receive(me, "kolam/v1/serang/kolam-1/node-a/telemetry")


def test_a_relay_node_reads_its_cmd_and_writes_its_state_only() -> None:
    acl, me = _acl(), "serang.node-a"
    assert acl.can_publish(me, "kolam/v1/serang/kolam-1/node-a/state")
    assert not acl.can_publish(me, "kolam/v1/serang/kolam-2/node-b/state")
    assert not acl.can_subscribe(me, "kolam/v1/serang/kolam-1/node-a/state")
    assert not acl.can_receive(me, "kolam/v1/serang/kolam-2/node-b/state")
    assert acl.can_receive(me, "kolam/v1/serang/kolam-1/node-a/cmd")
    assert not acl.can_publish("ingest", "kolam/v1/serang/kolam-1/node-a/state")
    assert acl.can_publish("gw", "kolam/v1/serang/kolam-1/node-a/cmd")
    assert acl.can_subscribe("gw", "kolam/v1/serang/+/+/state")
    assert acl.can_receive("api", "kolam/v1/serang/kolam-1/node-a/state")
    assert not acl.can_publish("api", "kolam/v1/serang/kolam-1/node-a/state")
    sim = Acl({"sim": service_grants(ServiceRole.SIM, "serang")})
    assert sim.can_publish("sim", "kolam/v1/serang/kolam-1/relay-1/state")
    assert sim.can_subscribe("sim", "kolam/v1/serang/kolam-1/relay-1/cmd")
    assert not sim.can_publish("sim", "kolam/v1/other/kolam-1/relay-1/state")


def test_services_get_what_their_job_needs() -> None:
    acl = _acl()
    assert acl.can_subscribe("ingest", "kolam/v1/+/+/+/telemetry")
    assert acl.can_subscribe("ingest", "$share/ingest/kolam/v1/serang/+/+/telemetry")
    assert acl.can_receive("ingest", "kolam/v1/serang/gateway/gw-1/status")
    assert acl.can_publish("ingest", "kolam/v1/serang/kolam-1/alerts")
    assert not acl.can_publish("ingest", "kolam/v1/serang/kolam-1/node-a/telemetry")
    assert not acl.can_subscribe("ingest", "kolam/v1/#")
    assert acl.can_publish("gw", "kolam/v1/serang/kolam-1/node-a/telemetry")
    assert acl.can_subscribe("gw", "kolam/v1/serang/#")
    assert not acl.can_publish("gw", "kolam/v1/other/kolam-1/node-a/telemetry")
    assert acl.can_publish("api", "kolam/v1/serang/kolam-1/node-a/cmd")
    assert not acl.can_publish("api", "kolam/v1/serang/kolam-1/node-a/telemetry")


def test_nobody_unlisted_may_do_anything() -> None:
    acl = _acl()
    for user in (None, "", "anonymous", "serang.node-z"):
        assert not acl.can_publish(user, "kolam/v1/serang/kolam-1/node-a/telemetry")
        assert not acl.can_subscribe(user, "#")
    assert not acl.can_subscribe("ingest", "$share/ingest")


def test_a_site_service_needs_its_site() -> None:
    with pytest.raises(ValueError, match="one site"):
        service_grants(ServiceRole.SIM, None)
    with pytest.raises(ValueError, match="slug"):
        service_grants(ServiceRole.API, "#")


def test_the_file_reads_back_as_written() -> None:
    accounts = [BrokerAccount("ingest", service_grants(ServiceRole.INGEST, None)),
                BrokerAccount("serang.node-a", device_grants(A))]
    text = render_acl(accounts)
    assert "user serang.node-a\ntopic write kolam/v1/serang/kolam-1/node-a/telemetry\n" in text
    assert parse_acl(text) == {a.username: a.grants for a in accounts}
    assert parse_acl("user x\ntopic a/b\n") == {"x": (Grant(Access.READWRITE, "a/b"),)}


@pytest.mark.parametrize("text", ["topic read #\n", "pattern read %u/#\n",
                                  "user x\ntopic deny a\n", "user\n"])
def test_lines_kolam_never_writes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="line"):
        parse_acl(text)


def test_usernames_with_spaces_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="cannot appear"):
        render_acl([BrokerAccount("a b", ())])


@pytest.mark.parametrize(("username", "client_id", "allowed"), [
    ("serang.node-a", "serang.node-a", True),
    ("serang.node-a", "serang.node-b", False),       # another device's id
    ("serang.node-a", "node-a", False),              # the bare slug is not the login
    ("serang.node-a", "", False),
    ("ingest", "kolam-ingest", True),                # services: any id without a dot
    ("sim-serang", "sim-serang-node-a", True),
    ("gw-serang", "serang.node-a", False),           # dotted ids are devices'
    (None, "anything", True),                        # anonymous never gets in anyway
])
def test_a_device_uses_its_login_as_client_id(username: str | None, client_id: str,
                                              allowed: bool) -> None:
    assert client_id_allowed(username, client_id) is allowed


@pytest.mark.parametrize("leaf", ["log", "problem"])
def test_kiosk_logs_and_problems_go_from_a_sites_gateway_to_ingest_only(leaf: str) -> None:
    """``kolam/v1/{site}/gateway/{gateway}/log`` (issue #18 item 4) and ``…/problem`` (the
    loops' "aerator not working"): the site's gateway writes them, ingest reads them
    (every site, or its own); nodes and other sites' gateways cannot write them."""
    acl = Acl({"ingest": service_grants(ServiceRole.INGEST, None),
               "ingest-serang": service_grants(ServiceRole.INGEST, "serang"),
               "gw-serang": service_grants(ServiceRole.GATEWAY, "serang"),
               "gw-cilegon": service_grants(ServiceRole.GATEWAY, "cilegon"),
               device_username(A.site, A.device): device_grants(A)})
    topic = f"kolam/v1/serang/gateway/gw-1/{leaf}"
    assert acl.can_publish("gw-serang", topic)
    assert not acl.can_publish("gw-cilegon", topic)
    assert not acl.can_publish(device_username(A.site, A.device), topic)
    assert acl.can_subscribe("ingest", f"kolam/v1/+/gateway/+/{leaf}")
    assert acl.can_subscribe("ingest-serang", f"kolam/v1/serang/gateway/+/{leaf}")
    assert not acl.can_subscribe("ingest-serang", f"kolam/v1/+/gateway/+/{leaf}")
    assert not acl.can_publish("ingest", topic)
