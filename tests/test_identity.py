"""Finding identities: what a finding is about, independent of its line (hullguard.identity)."""
from __future__ import annotations

from hullguard.documents import load_document
from hullguard.identity import Identity, Locator, existing, identities_of, normalise_message
from hullguard.model import Format
from hullguard.text import Span

from conftest import lint_text


def _subjects(text: str, kind: Format = Format.DOCKERFILE, select=("ALL",)) -> list[tuple[str, str]]:
    result = lint_text(text, select=select, kind=kind)
    return [(identity.code, identity.subject) for identity in identities_of(result.document, result.findings)]


def test_dockerfile_subjects_are_stage_and_instruction_keyword():
    text = "ARG BASE=alpine\nFROM golang:1.23 AS Build\nRUN curl -s https://x | sh\nFROM alpine\nFROM $BASE\nUSER root\n"
    assert set(_subjects(text, select=("HG101", "HG201", "HG206"))) == {
        ("HG206", "stage 'build' RUN"), ("HG201", "stage 1 FROM"), ("HG201", "final stage FROM"), ("HG101", "final stage USER"),
    }


def test_compose_subjects_are_service_and_key_path():
    text = "services:\n  web:\n    image: nginx:latest\n    ports: ['0.0.0.0:5432:5432']\n  admin: {image: nginx}\n"
    assert set(_subjects(text, Format.COMPOSE, ("HG101", "HG201", "HG402"))) == {
        ("HG201", "service 'web' image"), ("HG402", "service 'web' ports[]"), ("HG101", "service 'web'"),
        ("HG201", "service 'admin' image"), ("HG101", "service 'admin'"),
    }


def test_kubernetes_subjects_are_object_container_and_key_path():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n"
        "      hostNetwork: true\n      initContainers: [{name: setup, image: busybox:1.36.1, securityContext: {privileged: true}}]\n"
        "      containers: [{name: app, image: nginx:1.27.3}]\n"
    )
    assert set(_subjects(text, Format.KUBERNETES, ("HG102", "HG106"))) == {
        ("HG106", "Deployment shop/web spec.template.spec.hostNetwork"),
        ("HG102", "Deployment shop/web init container 'setup' securityContext.privileged"),
    }


def test_what_is_in_no_stage_service_or_object_is_about_the_file():
    document = load_document("Dockerfile", "# a comment\nFROM alpine:3.20\n", Format.DOCKERFILE)
    assert str(Locator(document.model).subject(Span.on_line(0, 0, 11))) == "file"
    broken = lint_text("FROM alpine:3.20\nRUNN x\n", select=("HG000",))
    assert [i.subject for i in identities_of(broken.document, broken.findings)] == ["file"]


def test_messages_lose_line_numbers_only():
    assert normalise_message("service 'api' runs as root: its Dockerfile (api/Dockerfile:12) sets no USER") == (
        "service 'api' runs as root: its Dockerfile (api/Dockerfile:N) sets no USER"
    )
    assert normalise_message("duplicate key 'a' (first at line 3); the last one wins") == "duplicate key 'a' (first at line N); the last one wins"
    assert normalise_message("service 'web' publishes port 2222:22 (redis:7)") == "service 'web' publishes port 2222:22 (redis:7)"


def test_instruction_whitespace_and_continuations_do_not_change_the_fingerprint_but_env_values_never_enter_it():
    one = lint_text("FROM alpine:3.20\nRUN curl -s https://x | sh\n", select=("HG206",))
    two = lint_text("FROM alpine:3.20\n\nRUN curl -s https://x \\\n    | sh\n", select=("HG206",))
    assert identities_of(one.document, one.findings) == identities_of(two.document, two.findings)
    env = lint_text("FROM alpine:3.20\nENV NODE_TLS_REJECT_UNAUTHORIZED=0 TOKEN=abc\n", select=("HG207",))
    other = lint_text("FROM alpine:3.20\nENV NODE_TLS_REJECT_UNAUTHORIZED=\"0\" TOKEN=xyz\n", select=("HG207",))
    assert len(env.findings) == len(other.findings) == 1
    assert identities_of(env.document, env.findings) == identities_of(other.document, other.findings)


def test_matching_is_exact_first_then_loose_and_one_to_one():
    old = [Identity("HG206", "final stage RUN", "m", "a"), Identity("HG206", "final stage RUN", "m", "b")]
    new = [Identity("HG206", "final stage RUN", "m", "c"), Identity("HG206", "final stage RUN", "m", "b"), Identity("HG206", "final stage RUN", "m", "d")]
    assert existing(old, new) == [True, True, False]  # b exactly; c takes a's place; d is one too many
    assert existing([], new) == [False, False, False]


def test_a_secret_matches_only_on_its_fingerprint():
    old = [Identity("HG301", "final stage ENV", "ENV KEY holds a secret (****)", "a", secret=True)]
    assert existing(old, [Identity("HG301", "final stage ENV", "ENV KEY holds a secret (****)", "a", secret=True)]) == [True]
    assert existing(old, [Identity("HG301", "final stage ENV", "ENV KEY holds a secret (****)", "z", secret=True)]) == [False]
