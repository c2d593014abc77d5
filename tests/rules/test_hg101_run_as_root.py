"""HG101 run-as-root: the USER in force in the final stage, with variables scoped as Docker does."""
from __future__ import annotations

from conftest import reported_of

CODE = "HG101"


def test_global_arg_is_not_visible_in_a_stage_that_does_not_redeclare_it():
    # Docker: a global ARG is in scope in a stage only after a bare `ARG U` there;
    # without it, $U is unset here, so the user is not known to be root.
    assert reported_of(CODE, "ARG U=root\nFROM alpine:3.20\nUSER $U\n") == []


def test_global_arg_redeclared_in_the_stage_is_resolved():
    assert reported_of(CODE, "ARG U=root\nFROM alpine:3.20\nARG U\nUSER $U\n") == [
        (3, 5, 3, 7, "final stage runs as root (USER root)")
    ]


def test_stage_arg_default_and_group_part():
    assert reported_of(CODE, "FROM alpine:3.20\nARG UID=0\nUSER ${UID}:${UID}\n") == [
        (2, 5, 2, 11, "final stage runs as root (USER 0:0)")
    ]


def test_env_set_in_the_base_stage_is_inherited_through_from_stage():
    text = "FROM alpine:3.20 AS base\nENV RUNTIME_USER=root\nFROM base\nUSER $RUNTIME_USER\n"
    assert reported_of(CODE, text) == [(3, 5, 3, 18, "final stage runs as root (USER root)")]


def test_arg_without_any_value_is_unknown():
    assert reported_of(CODE, "FROM alpine:3.20\nARG U\nUSER $U\n") == []
