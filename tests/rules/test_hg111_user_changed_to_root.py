"""HG111 user-changed-to-root: a container that ran as non-root now runs as root."""
from __future__ import annotations

from hullguard.model import Format

from conftest import findings_of
from regression_helpers import reported

COMPOSE, KUBERNETES = Format.COMPOSE, Format.KUBERNETES


# --- Dockerfile --------------------------------------------------------------------------------


def test_user_changed_to_root():
    assert reported("HG111", "FROM python:3.12.4-slim\nUSER app\n", "FROM python:3.12.4-slim\nUSER root\n") == [
        (1, 5, 1, 9, "final stage changed from non-root (USER app) to root (USER root)"),
    ]


def test_user_removed_and_uid_zero_with_a_group():
    old = "FROM python:3.12.4-slim\nUSER 10001:10001\n"
    assert reported("HG111", old, "FROM python:3.12.4-slim\n") == [
        (0, 5, 0, 23, "final stage changed from non-root (USER 10001:10001) to root (no USER, so the base image's root)"),
    ]
    assert reported("HG111", old, "FROM python:3.12.4-slim\nuser 0:0\n") == [(1, 5, 1, 6, "final stage changed from non-root (USER 10001:10001) to root (USER 0:0)")]


def test_a_non_root_base_image_default_counts_as_non_root():
    old = "FROM gcr.io/distroless/static:nonroot\nCOPY app /app\n"
    assert reported("HG111", old, old + "USER root\n") == [
        (2, 5, 2, 9, "final stage changed from non-root (the default user of 'gcr.io/distroless/static:nonroot') to root (USER root)"),
    ]


def test_users_through_variables_and_stage_chains():
    old = "FROM python:3.12.4-slim AS base\nARG APP_USER=app\nUSER ${APP_USER}\nFROM base\nCOPY . /app\n"
    new = "FROM python:3.12.4-slim AS base\nUSER app\nFROM base\nUSER root\n"
    assert reported("HG111", old, new) == [(3, 5, 3, 9, "final stage changed from non-root (USER app) to root (USER root)")]
    unknown = "FROM python:3.12.4-slim\nARG APP_USER\nUSER $APP_USER\n"  # its value comes from --build-arg
    assert reported("HG111", unknown, "FROM python:3.12.4-slim\nUSER root\n") == []


def test_not_reported_when_it_was_root_already_or_stays_non_root():
    assert reported("HG111", "FROM python:3.12.4-slim\n", "FROM python:3.12.4-slim\nUSER root\n") == []
    assert reported("HG111", "FROM python:3.12.4-slim\nUSER app\n", "FROM python:3.12.4-slim\nRUN true\nUSER 10001\n") == []
    assert reported("HG111", "FROM python:3.12.4-slim\nUSER app\n", "FROM python:3.12.4-slim\nUSER root\nUSER app\n") == []
    assert findings_of("HG111", "FROM python:3.12.4-slim\nUSER root\n") == []  # a normal check


def test_windows_stages_are_not_judged():
    old = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER ContainerUser\n"
    assert reported("HG111", old, old.replace("ContainerUser", "ContainerAdministrator")) == []


# --- compose -----------------------------------------------------------------------------------


def test_compose_user_changed_to_root():
    old = "services:\n  web:\n    image: nginx:1.27.3\n    user: \"101:101\"\n"
    assert reported("HG111", old, old.replace('"101:101"', "root:root"), kind=COMPOSE) == [
        (3, 10, 3, 14, "service 'web' changed from non-root (user: 101:101) to root (user: root:root)"),
    ]
    assert reported("HG111", old, old.replace('"101:101"', "${APP_USER}"), kind=COMPOSE) == []  # unknown


def test_compose_user_removed_depends_on_the_image():
    old = "services:\n  web:\n    image: nginx:1.27.3\n    user: \"101\"\n  cli:\n    image: gcr.io/distroless/base:nonroot\n    user: \"65532\"\n"
    new = "services:\n  web:\n    image: nginx:1.27.3\n  cli:\n    image: gcr.io/distroless/base:nonroot\n"
    assert reported("HG111", old, new, kind=COMPOSE) == [
        (1, 2, 1, 5, "service 'web' changed from non-root (user: 101) to its image's default user, root unless the image sets another (user: removed)"),
    ]


# --- Kubernetes --------------------------------------------------------------------------------

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsUser: 10001
      containers:
        - name: app
          image: example/web:1.0.0
        - name: proxy
          image: example/proxy:1.0.0
          securityContext:
            runAsUser: 20001
"""


def test_kubernetes_run_as_user_zero_in_the_container():
    new = DEPLOYMENT.replace("runAsUser: 20001", "runAsUser: 0")
    assert reported("HG111", DEPLOYMENT, new, kind=KUBERNETES) == [
        (15, 23, 15, 24, "container 'proxy' changed from non-root (runAsUser: 20001) to root (runAsUser: 0)"),
    ]


def test_kubernetes_run_as_user_zero_inherited_from_the_pod():
    new = DEPLOYMENT.replace("runAsUser: 10001", "runAsUser: 0")
    assert reported("HG111", DEPLOYMENT, new, kind=KUBERNETES) == [
        (8, 19, 8, 20, "container 'app' changed from non-root (runAsUser: 10001) to root (runAsUser: 0, from the pod's securityContext)"),
    ]


def test_kubernetes_unset_before_or_windows_pods_are_not_reported():
    unset = DEPLOYMENT.replace("      securityContext:\n        runAsUser: 10001\n", "")
    assert reported("HG111", unset, unset.replace("runAsUser: 20001", "runAsUser: 0"), kind=KUBERNETES) == [
        (13, 23, 13, 24, "container 'proxy' changed from non-root (runAsUser: 20001) to root (runAsUser: 0)"),
    ]
    windows = DEPLOYMENT.replace("    spec:\n      securityContext:", "    spec:\n      os: {name: windows}\n      securityContext:")
    assert reported("HG111", windows, windows.replace("runAsUser: 20001", "runAsUser: 0"), kind=KUBERNETES) == []
