"""HG405 port-surface-expanded: ports a change opens, compared with the old version."""
from __future__ import annotations

from hullguard.model import Format

from conftest import findings_of
from regression_helpers import reported

COMPOSE, KUBERNETES = Format.COMPOSE, Format.KUBERNETES


# --- Dockerfile --------------------------------------------------------------------------------


def test_a_new_exposed_port_is_reported_with_the_old_ones():
    assert reported("HG405", "FROM nginx:1.27.3\nEXPOSE 80\n", "FROM nginx:1.27.3\nEXPOSE 80 8080\n") == [
        (1, 10, 1, 14, "final stage now exposes 8080/tcp (before: 80/tcp)"),
    ]


def test_nothing_without_an_old_version_so_a_normal_check_is_silent():
    assert findings_of("HG405", "FROM nginx:1.27.3\nEXPOSE 80 8080\n") == []


def test_ports_already_exposed_moved_or_reordered_are_not_reported():
    old = "FROM nginx:1.27.3\nEXPOSE 443 80\n"
    new = "FROM nginx:1.27.3\nRUN true\nexpose 80\nEXPOSE 443/tcp\n"
    assert reported("HG405", old, new) == []


def test_protocols_and_ranges_count_port_by_port():
    old = "FROM alpine:3.20\nEXPOSE 53/udp 8000-8010\n"
    assert reported("HG405", old, "FROM alpine:3.20\nEXPOSE 53/udp 8005\n") == []
    assert reported("HG405", old, "FROM alpine:3.20\nEXPOSE 53/tcp 8000-8011\n") == [
        (1, 7, 1, 13, "final stage now exposes 53/tcp (before: 53/udp, 8000-8010/tcp)"),
        (1, 14, 1, 23, "final stage now exposes 8000-8011/tcp (before: 53/udp, 8000-8010/tcp)"),
    ]


def test_variables_are_resolved_from_their_defaults():
    old = "FROM alpine:3.20\nARG PORT=8080\nEXPOSE $PORT\n"
    assert reported("HG405", old, "FROM alpine:3.20\nEXPOSE 8080\n") == []
    assert reported("HG405", old, "FROM alpine:3.20\nARG PORT=9090\nEXPOSE ${PORT}\n") == [
        (2, 7, 2, 14, "final stage now exposes 9090/tcp (before: 8080/tcp)"),
    ]
    assert reported("HG405", old, "FROM alpine:3.20\nARG PORT\nEXPOSE $PORT\n") == []  # unknown: not reported


def test_continuation_lines_and_crlf_give_exact_spans():
    new = "FROM alpine:3.20\r\nEXPOSE 80 \\\r\n    443\r\n"
    assert reported("HG405", "FROM alpine:3.20\r\nEXPOSE 80\r\n", new) == [(2, 4, 2, 7, "final stage now exposes 443/tcp (before: 80/tcp)")]


def test_the_final_stage_stays_the_final_stage_when_a_builder_stage_is_inserted():
    old = "FROM nginx:1.27.3\nEXPOSE 80\n"
    new = "FROM golang:1.23.1 AS build\nEXPOSE 9000\nFROM nginx:1.27.3\nEXPOSE 80\n"
    assert reported("HG405", old, new) == []  # the new stage 'build' has no old version to compare with


def test_named_stages_are_compared_with_the_stage_of_the_same_name():
    old = "FROM golang:1.23.1 AS Build\nEXPOSE 9000\nFROM nginx:1.27.3\n"
    new = "FROM golang:1.23.1 AS build\nEXPOSE 9000 9001\nFROM nginx:1.27.3\n"
    assert reported("HG405", old, new) == [(1, 12, 1, 16, "stage 'build' now exposes 9001/tcp (before: 9000/tcp)")]


# --- compose -----------------------------------------------------------------------------------


def _compose(ports: str, extra: str = "") -> str:
    return f"services:\n  db:\n    image: postgres:16.4\n    ports: {ports}\n{extra}"


def test_compose_a_newly_published_port():
    assert reported("HG405", _compose('["127.0.0.1:5432:5432"]'), _compose('["127.0.0.1:5432:5432", "9187:9187"]'), kind=COMPOSE) == [
        (3, 35, 3, 46, "service 'db' now publishes '9187:9187' (before: '127.0.0.1:5432:5432')"),
    ]


def test_compose_a_port_moved_from_one_address_to_all_interfaces():
    assert reported("HG405", _compose('["127.0.0.1:5432:5432"]'), _compose('["5432:5432"]'), kind=COMPOSE) == [
        (3, 12, 3, 23, "service 'db' now publishes '5432:5432' on all interfaces (before: '127.0.0.1:5432:5432')"),
    ]
    assert reported("HG405", _compose('["5432:5432"]'), _compose('["127.0.0.1:5432:5432"]'), kind=COMPOSE) == []  # narrowed
    assert reported("HG405", _compose('["5432:5432"]'), _compose('["15432:5432"]'), kind=COMPOSE) == []  # another host port


def test_compose_long_syntax_and_expose():
    old = _compose("\n      - target: 80\n        host_ip: 127.0.0.1\n        published: 8080", "    expose: ['9000']\n")
    new = _compose("\n      - target: 80\n        published: 8080\n      - target: 53\n        protocol: udp", "    expose: ['9000', '9100']\n")
    assert reported("HG405", old, new, kind=COMPOSE) == [
        (4, 8, 5, 23, "service 'db' now publishes '8080:80' on all interfaces (before: '127.0.0.1:8080:80')"),
        (6, 8, 7, 21, "service 'db' now publishes '53/udp' (before: '127.0.0.1:8080:80')"),
        (8, 21, 8, 27, "service 'db' now exposes '9100' to other containers (before: '127.0.0.1:8080:80', '9000')"),
    ]


def test_compose_variables_and_new_services_are_not_compared():
    old = "services:\n  web:\n    image: nginx:1.27.3\n"
    new = "services:\n  web:\n    image: nginx:1.27.3\n    ports: ['${PORT}:80']\n  admin:\n    image: nginx:1.27.3\n    ports: ['8081:80']\n"
    assert reported("HG405", old, new, kind=COMPOSE) == [(3, 12, 3, 24, "service 'web' now publishes '${…}:80' (before: none)")]


# --- Kubernetes --------------------------------------------------------------------------------


def _deployment(ports: str, kind: str = "Deployment", depth: str = "spec:\n  template:\n    spec:\n") -> str:
    indent = " " * (len(depth.splitlines()[-1]) - len(depth.splitlines()[-1].lstrip()) + 2)
    return f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: web\n{depth}{indent}containers:\n{indent}  - name: app\n{indent}    image: nginx:1.27.3\n{indent}    ports: {ports}\n"


def test_kubernetes_container_ports_and_host_ports():
    old = _deployment("[{containerPort: 80}]")
    new = _deployment("[{containerPort: 80}, {containerPort: 53, protocol: UDP}, {containerPort: 80, hostPort: 8080}]")
    assert reported("HG405", old, new, kind=KUBERNETES) == [
        (10, 55, 10, 57, "container 'app' now declares containerPort 53/UDP (before: 80/TCP)"),
        (10, 105, 10, 109, "container 'app' now binds host port 8080/TCP (before: none)"),
    ]


def test_kubernetes_pods_and_cronjobs_are_compared_at_their_depth():
    pod = _deployment("[{containerPort: 80}]", "Pod", "spec:\n")
    assert reported("HG405", pod, pod.replace("80}", "80}, {containerPort: 81}"), kind=KUBERNETES) == [
        (8, 51, 8, 53, "container 'app' now declares containerPort 81/TCP (before: 80/TCP)"),
    ]
    depth = "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
    cron = _deployment("[]", "CronJob", depth)
    assert [r[4] for r in reported("HG405", cron, cron.replace("[]", "[{containerPort: 9090}]"), kind=KUBERNETES)] == [
        "container 'app' now declares containerPort 9090/TCP (before: none)",
    ]


def test_kubernetes_service_ports_and_type():
    old = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n"
    new = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  ports:\n    - port: 80\n    - port: 443\n"
    assert reported("HG405", old, new, kind=KUBERNETES) == [
        (5, 8, 5, 16, "Service 'web' type changed from ClusterIP to NodePort: now reachable on a port of every node"),
        (8, 12, 8, 15, "Service 'web' now exposes port 443/TCP (before: 80/TCP)"),
    ]
    assert reported("HG405", new, new.replace("NodePort", "ClusterIP"), kind=KUBERNETES) == []


def test_kubernetes_objects_are_matched_by_kind_namespace_and_name_in_any_document_order():
    web, api = _deployment("[{containerPort: 80}]"), _deployment("[{containerPort: 80}]").replace("name: web", "name: api")
    new = web + "---\n" + api.replace("80}", "80}, {containerPort: 81}")
    assert reported("HG405", api + "---\n" + web, new, kind=KUBERNETES) == [
        (22, 55, 22, 57, "container 'app' now declares containerPort 81/TCP (before: 80/TCP)"),
    ]
    renamed = new.replace("- name: app", "- name: main")  # a new container: not compared
    assert reported("HG405", api + "---\n" + web, renamed, kind=KUBERNETES) == []
