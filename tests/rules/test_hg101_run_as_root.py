"""HG101 run-as-root: the USER in force in the final stage, with variables scoped as Docker does."""
from __future__ import annotations

import pytest

from conftest import findings_of, fixed_text, reported_of, spanned

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


def findings(text: str):
    return findings_of(CODE, text)


@pytest.mark.parametrize("user, shown", [("00", "00"), ("000:0", "000:0"), ("0000:1000", "0000:1000"), ("${U}", "00")])
def test_all_zero_numeric_uids_are_root(user, shown):
    text = f"FROM alpine:3.20\nARG U=00\nUSER {user}\n"
    (finding,) = findings(text)
    assert finding.message == f"final stage runs as root (USER {shown})"
    assert spanned(text, finding) == user.split(":")[0]


@pytest.mark.parametrize("user", ["010", "1000:0", "100", "o"])
def test_non_zero_numeric_uids_are_not_root(user):
    assert findings(f"FROM alpine:3.20\nUSER {user}\n") == []


DANGLING = [
    "FROM debian:bookworm\nRUN echo hi \\\n",
    "FROM debian:bookworm\nRUN echo hi \\  \n\n# trailing comment\n\n",
    "FROM debian:bookworm\nRUN echo hi \\",
    "FROM debian:bookworm\r\nRUN echo hi \\\r\n",
    "# escape=`\nFROM debian:bookworm\nRUN echo hi `\n",
    "# escape=`\nFROM debian:bookworm\nRUN echo hi `\n# comment\n",
    "FROM debian:bookworm\nUSER root\nRUN apt-get update && \\\n    apt-get install -y curl \\\n",
]


@pytest.mark.parametrize("text", DANGLING)
def test_no_fix_after_a_dangling_continuation(text):
    # the appended RUN would be joined onto the last instruction by BuildKit
    (finding,) = findings(text)
    assert finding.fixes == []
    assert fixed_text(CODE, text) is None


def test_fix_when_the_last_line_does_not_continue():
    # a backslash is an ordinary character with the backtick escape
    text = "# escape=`\nFROM debian:bookworm\nRUN echo hi \\\n"
    assert fixed_text(CODE, text) == text + "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n"
    text = "FROM debian:bookworm\nRUN echo hi \\\n  there\n# done \\\n"
    assert fixed_text(CODE, text) == (
        "FROM debian:bookworm\nRUN echo hi \\\n  there\n"
        "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n# done \\\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n",
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerAdministrator\n",
        "FROM mcr.microsoft.com/windows:ltsc2019\n",
        "FROM mcr.microsoft.com/windows-cssc/python:3.11\n",
        "FROM --platform=windows/amd64 example.com/app:1.0\n",
        'FROM mcr.microsoft.com/dotnet/framework/sdk:4.8\nSHELL ["powershell", "-Command"]\nRUN Write-Host hi\n',
        'FROM example.com/base:1.0\nSHELL ["cmd.exe", "/S", "/C"]\n',
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base\nFROM base\nUSER root\n",
    ],
)
def test_windows_stages_are_not_checked(text):
    assert findings(text) == []


@pytest.mark.parametrize(
    "text",
    [
        'FROM mcr.microsoft.com/powershell:7.4-ubuntu-22.04\nSHELL ["pwsh", "-Command"]\n',  # PowerShell on Linux
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build\nFROM debian:bookworm\n",  # Linux final stage
    ],
)
def test_linux_stages_near_windows_ones_are_checked(text):
    (finding,) = findings(text)
    assert finding.fixes
