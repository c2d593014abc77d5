"""HG207 tls-verification-disabled: TLS certificate or package signature checks turned off."""
from __future__ import annotations

import re

from hullguard.dockerfile import Instruction, Script
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._each_instruction import each_instruction
from hullguard.rules._shell import (
    APK, APT, CURL, GIT, PIP, WGET, YUM, Arguments, OptionSpec, RunCommand, instruction_commands, option_span,
    parse_arguments, value_span,
)
from hullguard.text import Span
from hullguard.words import Word

TLS = "TLS certificate verification"
SIGNATURES = "package signature verification"
_FALSE = ("false", "0", "no", "off")

# Flags per program family: (spec to read its options, {flag: what it disables}).
_FLAGS: dict[str, tuple[OptionSpec, dict[str, str]]] = {
    "curl": (CURL, {"-k": TLS, "--insecure": TLS, "--proxy-insecure": f"{TLS} of the proxy"}),
    "wget": (WGET, {"--no-check-certificate": TLS}),
    "pip": (PIP, {"--trusted-host": f"{TLS} for that host"}),
    "apt": (APT, {"--allow-unauthenticated": SIGNATURES, "--allow-insecure-repositories": "repository signature verification",
                  "--force-yes": SIGNATURES}),
    "apk": (APK, {"--allow-untrusted": SIGNATURES}),
    "yum": (YUM, {"--nogpgcheck": SIGNATURES}),
    "rpm": (OptionSpec(), {"--nogpgcheck": SIGNATURES, "--nosignature": SIGNATURES, "--nodigest": "package digest verification"}),
    "zypper": (OptionSpec(), {"--no-gpg-checks": SIGNATURES}),
}
_APT_SETTING = re.compile(
    r"(?i)^(?:Acquire::https::(?:[^:=]+::)?Verify-(?:Peer|Host)=(?:false|0|no)"
    r"|APT::Get::AllowUnauthenticated=(?:true|1|yes)"
    r"|Acquire::AllowInsecureRepositories=(?:true|1|yes))$"
)
# [trusted=yes] on a repository reached over the network (a local file:/copy: one has no transport to attack)
_APT_TRUSTED = re.compile(r"\[[^\]]*?\b(trusted=yes)\b[^\]]*\](?!\s*(?:file|copy):)")
_REPO_SETTING = re.compile(r"(?i)\b((?:repo_)?gpgcheck\s*=\s*(?:0|false|no)|sslverify\s*=\s*(?:0|false|no))\b")
_TEXT_SETTING_HINT = re.compile(r"trusted=yes|(?i:gpgcheck|sslverify)")  # what either pattern needs
_GIT_SSL_KEY = re.compile(r"(?i)^http\.(?:.+\.)?sslverify$")
_NPM = ("npm", "yarn", "pnpm")


def _variable_problem(name: str, value: str) -> str | None:
    """What an environment variable setting disables, or None when it is harmless."""
    key = name.upper()
    if key == "GIT_SSL_NO_VERIFY" and value:
        return f"GIT_SSL_NO_VERIFY disables {TLS} for git"
    if key == "NODE_TLS_REJECT_UNAUTHORIZED" and value == "0":
        return f"NODE_TLS_REJECT_UNAUTHORIZED=0 disables {TLS} for Node.js"
    if key == "PYTHONHTTPSVERIFY" and value == "0":
        return f"PYTHONHTTPSVERIFY=0 disables {TLS} for Python's HTTPS clients"
    if key == "PIP_TRUSTED_HOST" and value:
        return f"PIP_TRUSTED_HOST disables pip's {TLS} for the hosts it names"
    if key == "CURL_CA_BUNDLE" and value == "":
        return f"an empty CURL_CA_BUNDLE disables {TLS} in Python requests"
    if key == "NPM_CONFIG_STRICT_SSL" and value.lower() in _FALSE:
        return f"NPM_CONFIG_STRICT_SSL={value} disables {TLS} for npm"
    return None


def _flag_findings(script: Script, family: str, program: str, arguments: Arguments):
    _, flags = _FLAGS[family]
    # apk add --allow-untrusted of package files only (built earlier, unsigned): no repository involved
    local_apk = family == "apk" and len(arguments.operands) > 1 and all(w.value.endswith(".apk") for w in arguments.operands[1:])
    for option in arguments.options:
        if option.name in flags and not local_apk:
            yield option_span(script, option), f"{program} {option.name} disables {flags[option.name]}"
    if family == "apt":
        for option in arguments.all("-o", "--option"):
            if option.value and _APT_SETTING.match(option.value):
                yield value_span(script, option), f"{program} -o {option.value} disables {TLS if 'Verify' in option.value else SIGNATURES}"


def _npm_findings(script: Script, program: str, words: list[Word]):
    """``npm config set strict-ssl false``, ``npm --strict-ssl=false``, ``npm --no-strict-ssl``."""
    values = [word.value for word in words]
    for index, word in enumerate(words):
        key, equals, value = word.value.partition("=")
        following = values[index + 1] if index + 1 < len(words) else ""
        if key in ("--strict-ssl", "strict-ssl") and equals and value.lower() in _FALSE:
            yield script.word_span(word), f"{program} strict-ssl={value} disables {TLS}"
        elif key == "--no-strict-ssl":
            yield script.word_span(word), f"{program} --no-strict-ssl disables {TLS}"
        elif key in ("--strict-ssl", "strict-ssl") and following.lower() in _FALSE and (key != "strict-ssl" or "set" in values[:index]):
            yield script.span(word.start, words[index + 1].end), f"{program} strict-ssl {following} disables {TLS}"


def _git_findings(script: Script, words: list[Word]):
    arguments = parse_arguments(words, GIT)
    for option in arguments.all("-c"):
        key, _, value = (option.value or "").partition("=")
        if _GIT_SSL_KEY.match(key) and value.lower() in _FALSE:
            yield value_span(script, option), f"git -c {key}={value} disables {TLS}"
    operands = arguments.operands
    if operands and operands[0].value == "config":
        rest = [word for word in operands[1:] if word.value != "set"]
        for key, value in zip(rest, rest[1:]):
            if _GIT_SSL_KEY.match(key.value) and value.value.lower() in _FALSE:
                yield script.span(key.start, value.end), f"git config {key.value} {value.value} disables {TLS}"


def _pip_config_findings(script: Script, words: list[Word]):
    """``pip config set global.trusted-host host``."""
    operands = parse_arguments(words, PIP).operands
    values = [word.value for word in operands]
    if values[:2] == ["config", "set"] and len(operands) >= 3 and values[2].endswith("trusted-host"):
        yield script.word_span(operands[2]), f"pip config {values[2]} disables pip's {TLS} for the hosts it names"


def _text_findings(command: RunCommand):
    """Settings written as text: ``[trusted=yes]`` in an apt sources line, ``gpgcheck=0`` or
    ``sslverify=0`` for yum/dnf repositories (echoed, sed-ed or passed as ``--setopt``)."""
    script = command.script
    words = command.command.words
    if not _TEXT_SETTING_HINT.search(script.text, words[0].start, words[-1].end):
        return
    repo_settings = command.name != "git"  # git's http.sslVerify is read by _git_findings
    for word in words:
        matches = [(m, "apt [trusted=yes] disables repository signature verification") for m in _APT_TRUSTED.finditer(word.raw)]
        if repo_settings:
            matches += [
                (m, f"yum/dnf repository setting {m.group(1)} disables {TLS if 'ssl' in m.group(1).lower() else SIGNATURES}")
                for m in _REPO_SETTING.finditer(word.raw)
            ]
        for match, message in matches:
            yield script.span(word.start + match.start(1), word.start + match.end(1)), message


def _command_findings(command: RunCommand):
    script = command.script
    for word in command.assignments:
        name, _, _ = word.raw.partition("=")
        problem = _variable_problem(name, word.value.partition("=")[2])
        if problem:
            yield script.word_span(word), problem
    yield from _text_findings(command)
    tool = command.tool
    if tool is None:
        return
    program = tool.name
    if tool.family in _FLAGS:
        yield from _flag_findings(script, tool.family, program, parse_arguments(tool.arguments, _FLAGS[tool.family][0]))
    if tool.family == "pip":
        yield from _pip_config_findings(script, tool.arguments)
    elif tool.family in _NPM:
        yield from _npm_findings(script, program, tool.arguments)
    elif tool.family == "git":
        yield from _git_findings(script, tool.arguments)


def _variable_span(instruction: Instruction, pair) -> Span:
    """``KEY=value`` with the value's closing quote, if it has one."""
    end = pair.value_end
    opening = instruction.text[pair.value_start - 1 : pair.value_start]
    if opening in ("'", '"') and instruction.text[end : end + 1] == opening:
        end += 1
    return instruction.span(pair.key_start, end)


def check_instruction(instruction: Instruction):
    if instruction.keyword in ("ENV", "ARG"):
        for pair in instruction.key_values:
            problem = pair.has_value and _variable_problem(pair.key, pair.value)
            if problem:
                yield RULE.finding(_variable_span(instruction, pair), problem)
    for command in instruction_commands(instruction):
        for span, message in _command_findings(command):
            yield RULE.finding(span, message)


RULE = Rule(
    code="HG207",
    name="tls-verification-disabled",
    severity=Severity.ERROR,
    summary="TLS certificate or package signature verification disabled",
    docs=RuleDocs(
        what="Finds the switches that make downloads and package installs accept anything: "
        "`curl -k`/`--insecure` (also inside `-fsSLk`), `wget --no-check-certificate`, pip `--trusted-host` "
        "(and `pip config set global.trusted-host`), npm/yarn `strict-ssl false`, apt `--allow-unauthenticated`, "
        "`--allow-insecure-repositories`, `--force-yes`, `-o Acquire::https::Verify-Peer=false` and "
        "`[trusted=yes]` in a sources line (not for a local `file:`/`copy:` repository), apk "
        "`--allow-untrusted` (not when only local `.apk` files are added), yum/dnf/microdnf `--nogpgcheck`, "
        "`gpgcheck=0`/`sslverify=0` repository settings, rpm `--nogpgcheck`/`--nosignature`/`--nodigest`, "
        "zypper `--no-gpg-checks`, git `http.sslVerify false` (`git config` or `git -c`), and the environment "
        "variables `GIT_SSL_NO_VERIFY`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, "
        "`PIP_TRUSTED_HOST`, `NPM_CONFIG_STRICT_SSL=false` and an empty `CURL_CA_BUNDLE`, set with `ENV`, "
        "`ARG` or in a `RUN` (`VAR=value cmd`, `export VAR=value`). The finding points at the flag (the `k` "
        "of `-fsSLk`), the setting or the variable assignment.",
        why="Certificate and signature checks are what stop a man in the middle, a hijacked mirror or a "
        "poisoned proxy from handing the build a different file. With them off, whatever arrives is "
        "installed, usually as root, and baked into the image; an environment variable set with `ENV` also "
        "keeps the checks off for the application at run time.",
        example="```dockerfile\nFROM debian:bookworm-slim\n"
        "RUN curl -fsSLk https://example.com/tool.tar.gz | tar -xz   # HG207 on the k\n```\n"
        "Fixed:\n```dockerfile\nFROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \\\n"
        " && curl -fsSL https://example.com/tool.tar.gz | tar -xz\n```",
        fix="No automatic fix: removing the flag may break the build when the checks were turned off to get "
        "past a real problem (a missing CA bundle, a corporate proxy's own CA, an unsigned internal "
        "repository). Install `ca-certificates`, add the missing CA certificate to the image's trust store "
        "(`update-ca-certificates`), or import the repository's signing key, then drop the switch.",
        peers="checkov CKV2_DOCKER_2 (curl), CKV2_DOCKER_3 (wget), CKV2_DOCKER_4 (pip --trusted-host), "
        "CKV2_DOCKER_5 (PYTHONHTTPSVERIFY), CKV2_DOCKER_6 (NODE_TLS_REJECT_UNAUTHORIZED), CKV2_DOCKER_7 "
        "(apk --allow-untrusted), CKV2_DOCKER_8 and CKV2_DOCKER_11 (apt-get --allow-unauthenticated, "
        "--force-yes), CKV2_DOCKER_9 (--nogpgcheck), CKV2_DOCKER_10 (rpm), CKV2_DOCKER_12 and CKV2_DOCKER_13 "
        "(npm strict-ssl), CKV2_DOCKER_14 (GIT_SSL_NO_VERIFY), CKV2_DOCKER_15 (sslverify), CKV2_DOCKER_16 "
        "(PIP_TRUSTED_HOST). hadolint has no equivalent.",
    ),
    checks={Format.DOCKERFILE: each_instruction(check_instruction, ("RUN", "ENV", "ARG"))},
)
