"""Finding and rewriting image references, from a filled lock cache (no network): which
references are pinned and where, what they become, line endings and quoting kept, and the
settings."""
from __future__ import annotations

import pytest
from conftest import lint_text

from hullguard.config import Config, ConfigError, parse_config
from hullguard.digests import DigestCache, lock_path
from hullguard.documents import load_document
from hullguard.edits import apply_edits
from hullguard.model import Applicability, Format
from hullguard.pinning import Pinner, attach_pin_fixes, image_sites, pin_fix, pinned_reference, plan_pins, registry_settings
from hullguard.registry import Reference, RegistryError, RegistrySettings
from hullguard.rules import ALL_RULES
from hullguard.text import Span

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
C = "sha256:" + "c" * 64


@pytest.fixture
def config(tmp_path) -> Config:
    """A config in ``tmp_path`` whose lock cache knows a few references."""
    cache = DigestCache(lock_path(tmp_path))
    for key, digest in {
        "docker.io/library/nginx:1.27": A,
        "docker.io/library/nginx:latest": B,
        "ghcr.io/org/app:2": C,
        "docker.io/library/busybox:1.36": B,
    }.items():
        cache.record(key, digest, "2026-01-01T00:00:00Z")
    cache.save()
    return Config(path=tmp_path / ".hullguard.toml")


def pinned(text: str, config: Config, kind: Format = Format.DOCKERFILE, *, refresh: bool = False):
    """(new text or None, skipped reasons, failures) for ``text`` pinned from the lock cache."""
    document = load_document({Format.DOCKERFILE: "Dockerfile", Format.COMPOSE: "compose.yaml", Format.KUBERNETES: "manifest.yaml"}[kind], text, kind)
    pinner = Pinner(offline=True, refresh=refresh)
    plan = plan_pins(document, pinner, config)
    new = apply_edits(document.source, plan.edits) if plan.edits else None
    return new, [(s.written, s.reason) for s in plan.skipped], [(site.written, message) for site, message in plan.failures]


@pytest.mark.parametrize("written, expected", [
    ("nginx:1.27", f"nginx:1.27@{A}"),
    ("nginx", f"nginx:latest@{A}"),
    ("localhost:5000/app", f"localhost:5000/app:latest@{A}"),
    ("localhost:5000/app:1", f"localhost:5000/app:1@{A}"),
    (f"nginx:1.27@{B}", f"nginx:1.27@{A}"),
])
def test_pinned_reference(written, expected):
    assert pinned_reference(written, A) == expected


def test_dockerfile_references_and_spans(config):
    text = (
        "ARG VERSION=1.27\n"
        "FROM nginx:1.27 AS web\n"
        "FROM nginx:${VERSION}\n"
        "FROM web AS again\n"
        "FROM scratch\n"
        "from ghcr.io/org/app:2\n"
        "COPY --from=busybox:1.36 /bin/busybox /bin/\n"
        "COPY --from=web /etc /etc\n"
        f"FROM nginx:1.27@{B}\n"
        'FROM "nginx:1.27"\n'
    )
    document = load_document("Dockerfile", text, Format.DOCKERFILE)
    sites, skipped = image_sites(document)
    spans = [(s.span.start.line, s.span.start.column, s.span.end.column, s.written) for s in sites]
    assert spans == [(1, 5, 15, "nginx:1.27"), (5, 5, 22, "ghcr.io/org/app:2"), (6, 12, 24, "busybox:1.36"), (8, 5, 15 + 72, f"nginx:1.27@{B}")]
    assert [(s.written, s.reason) for s in skipped] == [
        ("nginx:${VERSION}", "set by a build argument; pin the argument's default instead"),
        ('"nginx:1.27"', "written with quotes or escapes"),
    ]
    new, _, failures = pinned(text, config)
    assert failures == []
    assert new.splitlines()[1] == f"FROM nginx:1.27@{A} AS web"
    assert new.splitlines()[5] == f"from ghcr.io/org/app:2@{C}"
    assert new.splitlines()[6] == f"COPY --from=busybox:1.36@{B} /bin/busybox /bin/"
    assert new.splitlines()[8] == f"FROM nginx:1.27@{B}"  # pinned already: left alone


def test_refresh_replaces_an_old_digest(config):
    # offline, refreshing reads the lock cache: what an earlier `pin --refresh` recorded
    new, _, _ = pinned(f"FROM nginx:1.27@{B}\nFROM nginx@{B}\n", config, refresh=True)
    assert new == f"FROM nginx:1.27@{A}\nFROM nginx@{B}\n"  # a digest without a tag has nothing to refresh from


def test_missing_from_the_lock_cache_offline(config, tmp_path):
    new, _, failures = pinned("FROM nginx:1.27\nFROM nginx:1.28\n", config)
    assert new == f"FROM nginx:1.27@{A}\nFROM nginx:1.28\n"
    assert failures == [("nginx:1.28", f"not in the lock cache {lock_path(tmp_path)} (`hullguard pin` resolves it)")]


def test_crlf_bom_and_continuations_are_kept(config):
    text = "\ufeffFROM \\\r\n  nginx:1.27 AS web\r\nRUN true\r\n"
    new, _, _ = pinned(text, config)
    assert new == f"FROM \\\r\n  nginx:1.27@{A} AS web\r\nRUN true\r\n"


def test_compose_images_keep_their_quoting(config):
    text = (
        "x-base: &base\n"
        "  image: nginx:1.27\n"
        "services:\n"
        "  web: {image: 'ghcr.io/org/app:2', ports: ['80']}\n"
        '  api:\n    image: "nginx"\n'
        "  copy:\n    <<: *base\n"
        "  other:\n    <<: *base\n"
        "  env:\n    image: ${IMAGE:-nginx:1.27}\n"
        "  built:\n    build: .\n"
        "  folded:\n    image: >-\n      nginx:1.27\n"
    )
    new, skipped, failures = pinned(text, config, Format.COMPOSE)
    assert failures == []
    assert new == (
        "x-base: &base\n"
        f"  image: nginx:1.27@{A}\n"
        "services:\n"
        f"  web: {{image: 'ghcr.io/org/app:2@{C}', ports: ['80']}}\n"
        f'  api:\n    image: "nginx:latest@{B}"\n'
        "  copy:\n    <<: *base\n"
        "  other:\n    <<: *base\n"
        "  env:\n    image: ${IMAGE:-nginx:1.27}\n"
        "  built:\n    build: .\n"
        "  folded:\n    image: >-\n      nginx:1.27\n"
    )
    assert skipped == [
        ("${IMAGE:-nginx:1.27}", "uses a variable"),
        ("nginx:1.27", "written in a YAML style hullguard does not rewrite (a block scalar, escapes or a tag)"),
    ]


def test_kubernetes_containers_of_every_kind(config):
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: batch/v1\n    kind: CronJob\n    metadata: {name: c}\n    spec:\n      jobTemplate:\n        spec:\n          template:\n            spec:\n"
        "              containers: [{name: a, image: nginx:1.27}]\n"
        "---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  initContainers:\n    - name: init\n      image: busybox:1.36\n"
        "  containers:\n    - name: app\n      image: ghcr.io/org/app:2\n"
        "  ephemeralContainers:\n    - name: debug\n      image: nginx\n"
        "---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  image: nginx:1.27\n"
    )
    new, skipped, failures = pinned(text, config, Format.KUBERNETES)
    assert (skipped, failures) == ([], [])
    lines = new.splitlines()
    assert lines[11] == f"              containers: [{{name: a, image: nginx:1.27@{A}}}]"
    assert lines[19] == f"      image: busybox:1.36@{B}"
    assert lines[22] == f"      image: ghcr.io/org/app:2@{C}"
    assert lines[25] == f"      image: nginx:latest@{B}"
    assert lines[-1] == "  image: nginx:1.27"  # not a container


def test_invalid_references_are_skipped(config):
    _, skipped, _ = pinned("services:\n  web:\n    image: Nginx:1\n", config, Format.COMPOSE)
    assert skipped == [("Nginx:1", "'Nginx:1': repository names must be lower-case")]


def test_pinner_api_for_fixes(config):
    pinner = Pinner(offline=True)
    assert pinner.cached(Reference.parse("nginx:1.27"), config) == A
    assert pinner.cached(Reference.parse("nginx:9"), config) is None
    assert pinner.pinned("docker.io/nginx:1.27", config) == f"docker.io/nginx:1.27@{A}"
    with pytest.raises(RegistryError) as caught:
        pinner.pinned("nginx:9", config)
    assert caught.value.kind == "not-cached"


def test_resolutions_are_recorded_once_per_run(config, tmp_path):
    calls = []

    class Recording:
        def __init__(self, settings):
            self.settings = settings

        def resolve(self, reference):
            calls.append((str(reference), self.settings))
            return C

    pinner = Pinner(refresh=True, client_for=Recording)
    assert pinner.digest(Reference.parse("nginx:1.27"), config) == C
    assert pinner.digest(Reference.parse("docker.io/library/nginx:1.27"), config) == C
    assert calls == [("docker.io/library/nginx:1.27", registry_settings(config))]
    assert pinner.save() == [lock_path(tmp_path).absolute()]
    assert DigestCache.load(lock_path(tmp_path)).get("docker.io/library/nginx:1.27").digest == C


def test_settings():
    table = {"resolve-digests": True, "insecure-registries": ["registry.lan:5000"], "registry-timeout": 2.5, "registry-credential-helpers": True}
    config = parse_config(table, ALL_RULES, None)
    assert (config.resolve_digests, config.registry_credential_helpers) == (True, True)
    assert registry_settings(config) == RegistrySettings(insecure_registries=("registry.lan:5000",), timeout=2.5, credential_helpers=True)
    assert registry_settings(Config()) == RegistrySettings()
    assert Config().resolve_digests is False


@pytest.mark.parametrize("table, message", [
    ({"resolve-digests": "yes"}, "'resolve-digests' must be true or false"),
    ({"registry-credential-helpers": 1}, "'registry-credential-helpers' must be true or false"),
    ({"insecure-registries": "registry.lan"}, "'insecure-registries' must be a list of strings"),
    ({"registry-timeout": 0}, "'registry-timeout' must be a number of seconds (more than 0, at most 600)"),
    ({"registry-timeout": True}, "'registry-timeout' must be a number of seconds"),
])
def test_invalid_settings(table, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(table, ALL_RULES, None)
    assert message in str(caught.value)


def test_pin_fix_for_hg202_findings(config):
    """What the HG202 fix integration calls: a safe fix at the finding's span, from the lock
    cache with an offline pinner (the language server's first try)."""
    text = "FROM nginx:1.27\nCOPY --from=busybox:1.36 /bin/busybox /bin/\nFROM nginx:1.28\n"
    document = load_document("Dockerfile", text, Format.DOCKERFILE)
    findings = lint_text(text, select=("HG202",)).findings
    assert [f.span.start.line for f in findings] == [0, 1, 2]
    pinner = Pinner(offline=True)
    fixes = [pin_fix(document, finding.span, pinner, config) for finding in findings[:2]]
    assert [(fix.title, fix.applicability) for fix in fixes] == [(f"Pin to digest ({A})", Applicability.SAFE), (f"Pin to digest ({B})", Applicability.SAFE)]
    fixed = apply_edits(document.source, [edit for fix in fixes for edit in fix.edits])
    assert fixed == f"FROM nginx:1.27@{A}\nCOPY --from=busybox:1.36@{B} /bin/busybox /bin/\nFROM nginx:1.28\n"
    with pytest.raises(RegistryError) as caught:
        pin_fix(document, findings[2].span, pinner, config)
    assert caught.value.kind == "not-cached"
    assert pin_fix(document, Span.on_line(0, 0, 4), pinner, config) is None  # the FROM keyword: no reference


def test_pin_fix_in_yaml_keeps_quotes(config):
    text = "services:\n  web:\n    image: 'nginx:1.27'\n"
    document = load_document("compose.yaml", text, Format.COMPOSE)
    scalar_span = document.model.services[0].mapping.get("image").span
    fix = pin_fix(document, scalar_span, Pinner(offline=True), config)
    assert apply_edits(document.source, list(fix.edits)) == f"services:\n  web:\n    image: 'nginx:1.27@{A}'\n"


def test_attach_pin_fixes_then_fix(config):
    """The `check --fix` integration: fixes attached to HG202 findings, then applied by the fixer's chooser."""
    from hullguard.fixer import choose_fixes

    text = "FROM nginx:1.27\nFROM nginx:1.28\n"
    document = load_document("Dockerfile", text, Format.DOCKERFILE)
    findings = lint_text(text, select=("HG202",)).findings
    failed = attach_pin_fixes(document, findings, Pinner(offline=True), config)
    assert [(finding.span.start.line, message.split(" (")[0]) for finding, message in failed] == [(1, f"not in the lock cache {lock_path(config.root)}")]
    chosen = choose_fixes(findings, allow_unsafe=False)
    assert apply_edits(document.source, [edit for _, fix in chosen for edit in fix.edits]) == f"FROM nginx:1.27@{A}\nFROM nginx:1.28\n"
