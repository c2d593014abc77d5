"""HG302 secret-file-copied: COPY/ADD puts a credentials or key file into the image."""
from __future__ import annotations

import fnmatch
import re

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._copy import context_sources, destination

# File names (lower-case fnmatch patterns) and what they hold.
SECRET_FILES = (
    (".env", "an environment file"),
    (".env.*", "an environment file"),
    ("id_rsa", "an SSH private key"),
    ("id_dsa", "an SSH private key"),
    ("id_ecdsa", "an SSH private key"),
    ("id_ed25519", "an SSH private key"),
    ("*.pem", "a PEM key or certificate file"),
    ("*.key", "a private key file"),
    ("*.p12", "a PKCS#12 key store"),
    ("*.pfx", "a PKCS#12 key store"),
    (".npmrc", "npm credentials (.npmrc)"),
    (".pypirc", "PyPI credentials (.pypirc)"),
    (".netrc", "login credentials (.netrc)"),
    (".git-credentials", "git credentials"),
    (".dockercfg", "Docker registry credentials"),
)
ENV_EXAMPLES = frozenset({".env.example", ".env.sample", ".env.template"})
# `*.pem` and `*.key` may also be public: a CA certificate, a signing key's public half.
# Copied to a destination that says so, they are not reported.
MAYBE_PUBLIC = frozenset({"*.pem", "*.key"})
PUBLIC_DESTINATION = re.compile(r"\.(?:pub|crt|cer|asc|gpg)$|ca-certificates|/ca-trust/|/trusted\.gpg\.d/|/keyrings/", re.IGNORECASE)
# Folders that hold nothing but credentials: anything under them (or the folder itself).
SECRET_FOLDERS = {
    ".aws": "AWS credentials",
    ".ssh": "SSH keys",
    ".gnupg": "GnuPG keys",
}
WILDCARDS = "*?["


def _secret_file(name: str) -> tuple[str, str] | None:
    """What secret a file name (or a wildcard naming files) stands for, and the pattern.

    A wildcard is matched as text against the patterns (``*.pem`` is a PEM file), and also
    as a pattern against the fixed names when it starts with literal text (``.env*``).
    """
    name = name.lower()
    if name in ENV_EXAMPLES:
        return None
    for pattern, what in SECRET_FILES:
        if fnmatch.fnmatchcase(name, pattern):
            return what, pattern
    if any(char in name for char in WILDCARDS) and name[0] not in WILDCARDS:
        for pattern, what in SECRET_FILES:
            if not any(char in pattern for char in WILDCARDS) and fnmatch.fnmatchcase(pattern, name):
                return what, pattern
    return None


def _secret_in_path(path: str, target: str) -> str | None:
    """What secret a ``COPY`` source path names (copied to ``target``), or None."""
    parts = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts:
        return None
    lowered = [part.lower() for part in parts]
    for part in lowered:
        if part in SECRET_FOLDERS:
            return SECRET_FOLDERS[part]
    if lowered[-1] == ".docker" or lowered[-2:] == [".docker", "config.json"]:
        return "Docker registry credentials"
    found = _secret_file(parts[-1])
    if found is None or (found[1] in MAYBE_PUBLIC and PUBLIC_DESTINATION.search(target)):
        return None
    return found[0]


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for instruction in dockerfile.instructions:
        for source in context_sources(instruction):
            what = _secret_in_path(source.value, destination(instruction))
            if what is not None:
                yield RULE.finding(source.span, f"{instruction.keyword} puts {what} into the image ({source.value})")


RULE = Rule(
    code="HG302",
    name="secret-file-copied",
    severity=Severity.ERROR,
    summary="Secret file copied into the image",
    docs=RuleDocs(
        what="Checks each source of `COPY` and `ADD` taken from the build context (not "
        "`--from` copies from another stage or image, nor remote URLs) for a file that holds "
        "credentials or keys: `.env` and `.env.*` (except `.env.example`, `.env.sample` and "
        "`.env.template`), SSH private keys (`id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519`), "
        "`*.pem`, `*.key`, `*.p12`, `*.pfx`, `.npmrc`, `.pypirc`, `.netrc`, "
        "`.git-credentials`, `.dockercfg`, `.docker/config.json`, and anything in `.aws/`, "
        "`.ssh/` or `.gnupg/`, at any depth of the source path. Wildcards count too: "
        "`*.pem`, `certs/*.key`, `.env*`. A `*.pem` or `*.key` copied to a destination "
        "that marks it public (`….pub`, `….crt`, `….asc`, `….gpg`, a `ca-certificates` or "
        "`keyrings` folder) is a certificate or public key and is not reported.",
        why="A file copied into a layer stays in the image even if a later step deletes it: "
        "anyone who can pull the image can extract it. Registry tokens in `.npmrc`, cloud "
        "keys in `.aws/` and SSH keys give access far beyond the image itself.",
        example="```dockerfile\nFROM node:22-alpine\nCOPY .npmrc package.json package-lock.json ./   # HG302\n"
        "RUN npm ci\n```\nFixed (build with `docker build --secret id=npmrc,src=.npmrc .`):\n"
        "```dockerfile\n# syntax=docker/dockerfile:1\nFROM node:22-alpine\nCOPY package.json package-lock.json ./\n"
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n```",
        fix="None automatic. Give the file to the steps that need it as a build secret "
        "(`RUN --mount=type=secret,id=…,target=…`, or `--mount=type=ssh` for SSH keys), "
        "which is never written to a layer, and list it in `.dockerignore`. Configuration "
        "the container needs at run time is mounted or injected when it starts. A key or "
        "token that was ever in an image must be rotated.",
        peers="No direct peer in hadolint, checkov or trivy's Dockerfile checks.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
)
