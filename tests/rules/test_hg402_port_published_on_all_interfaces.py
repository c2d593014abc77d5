"""HG402 port-published-on-all-interfaces: compose back-end and sensitive ports published
without a host IP, and the fix binding them to the loopback address."""
from __future__ import annotations

from dataclasses import replace

import pytest

from hullguard.config import Config
from hullguard.context import DEFAULT_SENSITIVE_PORTS
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of, spans_of

CODE = "HG402"
C = Format.COMPOSE


def compose(ports: str, service: str = "db") -> str:
    return f"services:\n  {service}:\n    image: example/db:1.0\n    ports:\n{ports}"


def test_database_port_without_host_ip_is_reported_at_the_published_port():
    text = compose('      - "5432:5432"\n')
    [finding] = findings_of(CODE, text, kind=C)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (4, 9, 13)
    assert finding.message == "service 'db' publishes container port 5432 (PostgreSQL) on all host interfaces"
    [fix] = finding.fixes
    assert (fix.title, fix.applicability) == ("Publish on 127.0.0.1 only", Applicability.UNSAFE)
    assert fixed_text(CODE, text, kind=C) == compose('      - "127.0.0.1:5432:5432"\n')
    assert fixed_text(CODE, text, kind=C, unsafe=False) is None


@pytest.mark.parametrize(
    "entry, span, fixed",
    [
        ("'6379'", (4, 9, 4, 13), "'127.0.0.1::6379'"),  # a random host port, on all interfaces
        ("6379", (4, 8, 4, 12), "127.0.0.1::6379"),  # a plain number becomes a string
        ("22:22", (4, 8, 4, 10), "127.0.0.1:22:22"),  # a YAML 1.1 base-60 number too
        ('"15432:5432/tcp"', (4, 9, 4, 14), '"127.0.0.1:15432:5432/tcp"'),
        ('"0.0.0.0:3306:3306"', (4, 9, 4, 16), '"127.0.0.1:3306:3306"'),
        ('"[::]:27017:27017"', (4, 9, 4, 13), '"[::1]:27017:27017"'),
        ('"6370-6380:6370-6380"', (4, 9, 4, 18), '"127.0.0.1:6370-6380:6370-6380"'),
    ],
)
def test_short_syntax_variants(entry, span, fixed):
    text = compose(f"      - {entry}\n")
    assert spans_of(CODE, text, kind=C) == [span]
    assert fixed_text(CODE, text, kind=C) == compose(f"      - {fixed}\n")


def test_messages_name_the_unspecified_address_and_ranges():
    text = compose('      - "0.0.0.0:6379:6379"\n      - "20-23:20-23"\n')
    assert [message for *_, message in reported_of(CODE, text, kind=C)] == [
        "service 'db' publishes container port 6379 (Redis) on all host interfaces (0.0.0.0)",
        "service 'db' publishes container ports 22 (SSH), 23 (Telnet) on all host interfaces",
    ]


def test_long_syntax_gets_host_ip():
    text = compose("      - target: 9200\n        published: 9200\n")
    assert reported_of(CODE, text, kind=C) == [(5, 19, 5, 23, "service 'db' publishes container port 9200 (Elasticsearch) on all host interfaces")]
    assert fixed_text(CODE, text, kind=C) == compose("      - target: 9200\n        published: 9200\n        host_ip: 127.0.0.1\n")


def test_long_syntax_without_published_port_and_unspecified_ipv6_address():
    text = compose("      - target: 5432\n      - {target: 3306, host_ip: '::'}\n")
    assert spans_of(CODE, text, kind=C) == [(4, 16, 4, 20), (5, 32, 5, 36)]
    assert fixed_text(CODE, text, kind=C) == compose("      - target: 5432\n        host_ip: 127.0.0.1\n      - {target: 3306, host_ip: '::1'}\n")


@pytest.mark.parametrize(
    "entry",
    [
        '"80:80"',
        '"8080"',
        '"127.0.0.1:5432:5432"',
        '"[::1]:5432:5432"',
        '"192.168.1.10:5432:5432"',
        '"5432:8080"',  # a web app on host port 5432: the container port decides
        '"${DB_BIND:-0.0.0.0}:5432:5432"',  # unknown address
        '"127.0.0.1:5432:${DB_PORT}"',  # unknown container port
        "{target: 5432, host_ip: 127.0.0.1}",
    ],
)
def test_entries_that_pass(entry):
    assert findings_of(CODE, compose(f"      - {entry}\n"), kind=C) == []


def test_expose_is_not_published():
    assert findings_of(CODE, "services:\n  db:\n    image: postgres:16\n    expose: ['5432']\n", kind=C) == []


def test_host_network_services_are_skipped():
    text = "services:\n  db:\n    image: postgres:16\n    network_mode: host\n    ports: ['5432:5432']\n"
    assert findings_of(CODE, text, kind=C) == []


def test_configured_sensitive_ports_count():
    config = replace(Config(), sensitive_ports=DEFAULT_SENSITIVE_PORTS | {8443})
    text = compose('      - "8443:8443"\n')
    assert findings_of(CODE, text, kind=C) == []
    assert [f.message for f in findings_of(CODE, text, kind=C, config=config)] == ["service 'db' publishes container port 8443 on all host interfaces"]


def test_flow_style_second_document_and_crlf():
    text = "services:\r\n  web: {image: 'nginx:1.27'}\r\n---\r\nservices:\r\n  db: {image: 'postgres:16', ports: ['5432:5432']}\r\n"
    assert spans_of(CODE, text, kind=C) == [(4, 38, 4, 42)]
    assert fixed_text(CODE, text, kind=C) == text.replace("'5432:5432'", "'127.0.0.1:5432:5432'")


def test_variable_host_port_is_still_published_everywhere():
    text = compose('      - "${DB_PORT:-5432}:5432"\n')
    assert spans_of(CODE, text, kind=C) == [(4, 9, 4, 25)]
    assert fixed_text(CODE, text, kind=C) == compose('      - "127.0.0.1:${DB_PORT:-5432}:5432"\n')
