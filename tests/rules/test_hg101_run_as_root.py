"""HG101 run-as-root: the USER in force in the final stage, with variables scoped as Docker does;
a compose service's user (or the Dockerfile it builds); the PSS runAsNonRoot and runAsUser controls."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, lint_text, reported_of, spanned

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


def test_unresolvable_base_is_unknown_through_from_stage_too():
    assert findings("ARG BASE\nFROM $BASE AS base\nRUN true\nFROM base\n") == []
    assert findings("ARG BASE=debian:bookworm\nFROM $BASE AS base\nFROM base\n")[0].message == "final stage sets no USER, so the container runs as root"


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


# --- compose -----------------------------------------------------------------------------------

C = Format.COMPOSE
K = Format.KUBERNETES
COMPOSE_PATH = "/project/compose.yaml"


def compose(text: str, **overrides):
    """HG101's findings on a compose file at /project, with the given files beside it
    (``{"api/Dockerfile": "FROM ..."}``; None: absent)."""
    files = {f"/project/{name}": content for name, content in overrides.items()}
    return findings_of(CODE, text, kind=C, path=COMPOSE_PATH, file_overrides=files)


@pytest.mark.parametrize(
    "user, name",
    [("root", "root"), ("0", "0"), ('"0:0"', "0"), ("root:x", "root"), ("'00'", "00"), ('"root:root"', "root")],
)
def test_compose_root_user_values_point_at_the_user_name(user, name):
    text = f"services:\n  web:\n    image: example/web:1.0\n    user: {user}\n"
    (finding,) = compose(text)
    shown = user.strip("'\"")
    assert finding.message == f"service 'web' runs as root (user: {shown})"
    assert spanned(text, finding) == name


@pytest.mark.parametrize("user", ["1000", '"1000:0"', "app", "rootless", "${APP_USER}", '"${UID:-0}"'])
def test_compose_non_root_and_unknown_users_pass(user):
    assert compose(f"services:\n  web:\n    image: nginx:1.27\n    user: {user}\n") == []


def test_compose_service_without_user_is_reported_at_its_name_with_a_numeric_user_fix():
    text = "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\"]\n"
    assert reported_of(CODE, text, kind=C) == [
        (1, 2, 1, 5, "service 'web' sets no user, so it runs as root unless its image 'nginx:1.27' sets a non-root USER")
    ]
    (finding,) = findings_of(CODE, text, kind=C)
    assert [fix.applicability for fix in finding.fixes] == [Applicability.UNSAFE]
    assert fixed_text(CODE, text, kind=C) == text + "    user: 10001:10001\n"
    assert fixed_text(CODE, text, kind=C, unsafe=False) is None


def test_compose_empty_user_counts_as_no_user():
    assert reported_of(CODE, 'services:\n  web:\n    image: nginx:1.27\n    user: ""\n', kind=C)[0][:2] == (1, 2)


def test_compose_fix_uses_the_account_the_image_ships_and_keeps_quotes():
    text = "services:\n  web:\n    image: node:22\n    user: 'root'\n"
    assert fixed_text(CODE, text, kind=C) == "services:\n  web:\n    image: node:22\n    user: 'node'\n"
    text = "services:\n  web:\n    image: gcr.io/distroless/base-debian12\n"
    assert fixed_text(CODE, text, kind=C) == text + "    user: nonroot\n"
    text = "services:\n  web:\n    image: example/web:1.0\n    user: 0\n"  # an int becomes a string
    assert fixed_text(CODE, text, kind=C) == "services:\n  web:\n    image: example/web:1.0\n    user: 10001:10001\n"


@pytest.mark.parametrize("image", ["gcr.io/distroless/static-debian12:nonroot", "cgr.dev/chainguard/nginx:latest-nonroot", "${IMAGE}", "example/app:${TAG}"])
def test_compose_images_known_non_root_or_unknown_pass(image):
    assert compose(f"services:\n  web:\n    image: {image}\n") == []


def test_compose_extends_without_user_is_not_judged_but_an_explicit_root_is():
    assert compose("services:\n  web:\n    extends: base\n") == []
    assert len(compose("services:\n  web:\n    extends: base\n    user: root\n")) == 1


def test_compose_build_names_the_dockerfile_and_the_line_of_the_root_user():
    text = "services:\n  api:\n    build: ./api\n"
    dockerfile = "FROM python:3.12-slim\nUSER app\nCOPY . /app\nUSER root\n"
    result = lint_text(text, select=(CODE,), kind=C, path=COMPOSE_PATH, file_overrides={"/project/api/Dockerfile": dockerfile})
    (finding,) = result.findings
    assert finding.message == "service 'api' runs as root: its Dockerfile (api/Dockerfile:4) ends with USER root"
    assert spanned(text, finding) == "api"
    assert finding.fixes == []  # the fix belongs in the Dockerfile
    assert "/project/api/Dockerfile" in result.dependencies


def test_compose_build_without_user_cites_the_final_from():
    text = "services:\n  api:\n    build:\n      context: api\n      dockerfile: ../docker/api.Dockerfile\n"
    dockerfile = "FROM golang:1.22 AS build\nUSER builder\n\nFROM debian:bookworm-slim\nCOPY --from=build /out /app\n"
    (finding,) = compose(text, **{"docker/api.Dockerfile": dockerfile})
    assert finding.message == "service 'api' runs as root: its Dockerfile (docker/api.Dockerfile:4) sets no USER"


def test_compose_build_with_a_non_root_dockerfile_passes():
    assert compose("services:\n  api:\n    build: .\n", Dockerfile="FROM alpine:3.20\nUSER nobody\n") == []
    assert compose("services:\n  api:\n    build: .\n", Dockerfile="FROM gcr.io/distroless/static:nonroot\n") == []


def test_compose_build_target_stage_is_judged_not_the_last_one():
    dockerfile = "FROM alpine:3.20 AS runtime\nUSER nobody\nFROM runtime AS debug\nUSER root\n"
    text = "services:\n  api:\n    build:\n      context: .\n      target: {target}\n"
    assert compose(text.format(target="runtime"), Dockerfile=dockerfile) == []
    (finding,) = compose(text.format(target="debug"), Dockerfile=dockerfile)
    assert finding.message == "service 'api' runs as root: its Dockerfile's target stage 'debug' (Dockerfile:4) ends with USER root"
    assert compose(text.format(target="missing"), Dockerfile=dockerfile) == []
    assert compose(text.format(target="${TARGET}"), Dockerfile=dockerfile) == []


def test_compose_inherited_user_through_from_stage():
    dockerfile = "FROM alpine:3.20 AS base\nUSER root\nFROM base\nRUN true\n"
    (finding,) = compose("services:\n  api:\n    build: .\n", Dockerfile=dockerfile)
    assert finding.message == "service 'api' runs as root: its Dockerfile (Dockerfile:2) ends with USER root"


def test_compose_dockerfile_inline():
    text = "services:\n  tool:\n    build:\n      dockerfile_inline: |\n        FROM alpine:3.20\n        USER {user}\n"
    assert compose(text.format(user="nobody")) == []
    (finding,) = compose(text.format(user="root"))
    assert finding.message == "service 'tool' runs as root: its Dockerfile (dockerfile_inline:2) ends with USER root"
    # compose interpolates $ in it before building: not judged
    assert compose("services:\n  tool:\n    build:\n      dockerfile_inline: \"FROM alpine\\nUSER $$U\\n\"\n") == []


def test_compose_build_args_make_variable_users_and_bases_unknown():
    dockerfile = "FROM alpine:3.20\nARG UID=0\nUSER $UID\n"
    assert len(compose("services:\n  api:\n    build: .\n", Dockerfile=dockerfile)) == 1  # the default applies
    assert compose("services:\n  api:\n    build:\n      context: .\n      args:\n        UID: 1000\n", Dockerfile=dockerfile) == []
    dockerfile = "ARG BASE=alpine:3.20\nFROM $BASE\n"
    assert compose("services:\n  api:\n    build:\n      context: .\n      args: [BASE=gcr.io/distroless/static:nonroot]\n", Dockerfile=dockerfile) == []


@pytest.mark.parametrize(
    "build",
    ["https://github.com/example/app.git#main", "git@github.com:example/app.git", "github.com/example/app", "${CONTEXT}", "./missing"],
)
def test_compose_build_that_cannot_be_read_is_not_judged(build):
    assert compose(f"services:\n  api:\n    build: {build}\n", **{"missing/Dockerfile": None}) == []


def test_compose_build_without_a_folder_is_not_judged():
    assert findings_of(CODE, "services:\n  api:\n    build: .\n", kind=C, path="-") == []


def test_compose_windows_dockerfile_is_not_judged():
    assert compose("services:\n  api:\n    build: .\n", Dockerfile="FROM mcr.microsoft.com/windows/servercore:ltsc2022\n") == []


def test_compose_second_document_and_crlf():
    text = "services:\r\n  a:\r\n    image: x/a:1\r\n    user: app\r\n---\r\nservices:\r\n  b:\r\n    image: x/b:1\r\n"
    assert [span[:4] for span in reported_of(CODE, text, kind=C)] == [(6, 2, 6, 3)]
    assert fixed_text(CODE, text, kind=C) == text + "    user: 10001:10001\r\n"


# --- Kubernetes: runAsNonRoot and runAsUser (PSS restricted) ----------------------------------


def pod(spec: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n" + spec


def pss(level: str = "restricted", version: tuple[int, int] | None = None) -> Config:
    return Config(pss_level=level, pss_version=version)


APP = "  containers:\n    - name: app\n      image: nginx:1.27\n"
MISSING = "container 'app' may run as root (runAsNonRoot is not true in its securityContext or the pod's)"


def test_kubernetes_container_without_run_as_non_root_is_reported_at_its_name():
    text = pod(APP)
    assert reported_of(CODE, text, kind=K) == [(6, 12, 6, 15, MISSING)]
    (finding,) = findings_of(CODE, text, kind=K)
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [
        ("Set runAsNonRoot: true in the securityContext of container 'app'", Applicability.UNSAFE),
        ("Harden container 'app' to Pod Security Standards restricted", Applicability.UNSAFE),
    ]
    assert fixed_text(CODE, text, kind=K) == pod(APP + "      securityContext:\n        runAsNonRoot: true\n")


def test_kubernetes_harden_fix_merges_every_restricted_setting_in_one_edit():
    text = pod(APP + "      securityContext:\n        readOnlyRootFilesystem: true\n")
    (finding,) = findings_of(CODE, text, kind=K)
    harden = finding.fixes[1]
    assert len(harden.edits) == 1
    (edit,) = harden.edits
    assert edit.new_text == (
        "        runAsNonRoot: true\n        allowPrivilegeEscalation: false\n        capabilities:\n"
        "          drop: [ALL]\n        seccompProfile:\n          type: RuntimeDefault\n"
    )


def test_kubernetes_harden_fix_keeps_settings_already_in_force():
    spec = "  securityContext:\n    seccompProfile:\n      type: Localhost\n      localhostProfile: app.json\n" + APP
    spec += "      securityContext:\n        capabilities:\n          add: [NET_BIND_SERVICE]\n"
    (finding,) = findings_of(CODE, pod(spec), kind=K)
    (edit,) = finding.fixes[1].edits
    assert "seccompProfile" not in edit.new_text and "add" not in edit.new_text


def test_kubernetes_pod_value_is_inherited_by_every_kind_of_container():
    spec = "  securityContext:\n    runAsNonRoot: true\n" + APP
    spec += "  initContainers:\n    - name: init\n      image: busybox\n  ephemeralContainers:\n    - name: dbg\n      image: busybox\n"
    assert findings_of(CODE, pod(spec), kind=K) == []


def test_kubernetes_container_false_overrides_a_true_pod():
    spec = "  securityContext:\n    runAsNonRoot: true\n" + APP + "      securityContext:\n        runAsNonRoot: false\n"
    assert reported_of(CODE, pod(spec), kind=K) == [(11, 22, 11, 27, "container 'app' sets runAsNonRoot: false, so it may run as root")]
    assert fixed_text(CODE, pod(spec), kind=K) == pod(spec.replace("runAsNonRoot: false", "runAsNonRoot: true"))


def test_kubernetes_pod_false_fails_once_even_when_every_container_sets_true():
    spec = "  securityContext:\n    runAsNonRoot: false\n" + APP + "      securityContext:\n        runAsNonRoot: true\n"
    spec += "    - name: side\n      image: envoy\n"
    assert reported_of(CODE, pod(spec), kind=K) == [
        (6, 18, 6, 23, "pod securityContext of Pod 'web' sets runAsNonRoot: false, so its containers may run as root")
    ]
    (finding,) = findings_of(CODE, pod(spec), kind=K)
    assert [fix.title for fix in finding.fixes] == ["Set runAsNonRoot: true in the pod's securityContext"]
    assert fixed_text(CODE, pod(spec), kind=K) == pod(spec.replace("runAsNonRoot: false", "runAsNonRoot: true"))


def test_kubernetes_only_the_container_without_a_value_is_reported():
    spec = APP + "      securityContext:\n        runAsNonRoot: true\n  initContainers:\n    - name: setup\n      image: busybox\n"
    assert [message for *_, message in reported_of(CODE, pod(spec), kind=K)] == [
        "init container 'setup' may run as root (runAsNonRoot is not true in its securityContext or the pod's)"
    ]


def test_kubernetes_non_zero_run_as_user_does_not_satisfy_run_as_non_root():
    spec = "  securityContext:\n    runAsUser: 1000\n" + APP
    assert [message for *_, message in reported_of(CODE, pod(spec), kind=K)] == [MISSING]


def test_kubernetes_a_string_true_is_not_the_boolean():
    spec = APP + "      securityContext:\n        runAsNonRoot: \"true\"\n"
    assert reported_of(CODE, pod(spec), kind=K) == [(9, 22, 9, 28, MISSING)]


@pytest.mark.parametrize("version, reported", [((1, 34), True), ((1, 35), False), (None, False)])
def test_kubernetes_host_users_false_passes_from_v1_35(version, reported):
    spec = "  hostUsers: false\n  securityContext:\n    runAsUser: 0\n" + APP
    assert bool(findings_of(CODE, pod(spec), kind=K, config=pss(version=version))) is reported


def test_kubernetes_run_as_user_zero_at_pod_level_fails_from_v1_23_even_when_overridden():
    spec = "  securityContext:\n    runAsNonRoot: true\n    runAsUser: 0\n" + APP + "      securityContext:\n        runAsUser: 1000\n"
    assert reported_of(CODE, pod(spec), kind=K) == [(7, 15, 7, 16, "pod securityContext of Pod 'web' sets runAsUser: 0 (root)")]
    assert findings_of(CODE, pod(spec), kind=K, config=pss(version=(1, 22))) == []
    assert findings_of(CODE, pod(spec), kind=K)[0].fixes == []


def test_kubernetes_run_as_user_zero_in_a_container_and_no_fix_that_could_not_start():
    spec = APP + "      securityContext:\n        runAsUser: 0\n"
    findings = findings_of(CODE, pod(spec), kind=K)
    assert [(finding.message, finding.fixes) for finding in findings] == [(MISSING, []), ("container 'app' runs as root (runAsUser: 0)", [])]
    assert findings[1].span.start.line == 9


def test_kubernetes_restricted_only():
    spec = "  securityContext:\n    runAsNonRoot: false\n    runAsUser: 0\n" + APP
    assert findings_of(CODE, pod(spec), kind=K, config=pss("baseline")) == []


def test_kubernetes_workload_depths_list_flow_and_second_document():
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  jobTemplate:\n    spec:\n"
        "      template:\n        spec:\n          containers:\n            - name: report\n              image: example/report:1.0\n"
    )
    assert [span[:2] for span in reported_of(CODE, cronjob, kind=K)] == [(10, 20)]
    listed = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n"
    listed += "    spec:\n      template:\n        spec:\n          containers: [{name: app, image: nginx}]\n"
    (finding,) = findings_of(CODE, listed, kind=K)
    assert spanned(listed, finding) == "app"
    assert fixed_text(CODE, listed, kind=K).endswith("containers: [{name: app, image: nginx, securityContext: {runAsNonRoot: true}}]\n")
    stream = pod("  securityContext: {runAsNonRoot: true}\n" + APP) + "---\n" + pod(APP)
    assert [span[:2] for span in reported_of(CODE, stream, kind=K)] == [(16, 12)]


def test_kubernetes_crlf_fix():
    text = pod(APP).replace("\n", "\r\n")
    assert fixed_text(CODE, text, kind=K) == pod(APP + "      securityContext:\n        runAsNonRoot: true\n").replace("\n", "\r\n")
