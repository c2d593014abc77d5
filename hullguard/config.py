"""Configuration: ``.hullguard.toml`` or ``[tool.hullguard]`` in ``pyproject.toml``.

The nearest config file walking up from a linted file applies (``.hullguard.toml`` wins
over ``pyproject.toml`` in the same folder). Unknown keys and rule codes are errors, so a
typo never silently turns a rule off.
"""
from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from hullguard.context import DEFAULT_SENSITIVE_PORTS, PSS_LEVELS
from hullguard.documents import MAX_FILE_SIZE
from hullguard.model import Rule, Severity

CONFIG_FILES = (".hullguard.toml", "pyproject.toml")
KEYS = {
    "select", "extend-select", "ignore", "per-file-ignores", "severity",
    "trusted-registries", "sensitive-ports", "exclude", "pss-level", "pss-version", "max-file-size",
    "resolve-digests", "insecure-registries", "registry-timeout", "registry-credential-helpers",
}
DEFAULT_REGISTRY_TIMEOUT = 10.0  # seconds per registry request


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file it came from
    select: tuple[str, ...] | None = None  # None: the default rule set
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    trusted_registries: tuple[str, ...] = ()
    sensitive_ports: frozenset[int] = DEFAULT_SENSITIVE_PORTS
    exclude: tuple[str, ...] = ()  # globs of files or folders, relative to the config's folder
    pss_level: str = "restricted"
    pss_version: tuple[int, int] | None = None  # None: the latest
    max_file_size: int = MAX_FILE_SIZE
    # Pinning images by digest (`hullguard pin`, and HG202's fix under `check --fix`).
    resolve_digests: bool = False  # let `check --fix` ask registries for digests
    insecure_registries: tuple[str, ...] = ()  # registries allowed plain HTTP (besides loopback)
    registry_timeout: float = DEFAULT_REGISTRY_TIMEOUT
    registry_credential_helpers: bool = False  # run the Docker config's credential helpers

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def with_cli(self, select=None, extend_select=(), ignore=(), pss_level=None) -> "Config":
        """CLI ``--select`` replaces the config's selection; ``--ignore`` adds to it;
        ``--pss`` replaces the level."""
        return replace(
            self,
            select=tuple(select) if select is not None else self.select,
            extend_select=self.extend_select + tuple(extend_select),
            ignore=self.ignore + tuple(ignore),
            pss_level=pss_level or self.pss_level,
        )


def selector_matches(selector: str, rule: Rule) -> bool:
    """``ALL``, a code or code prefix (``HG1``, ``HG101``), or a rule name (``run-as-root``)."""
    selector = selector.strip()
    return selector.upper() == "ALL" or rule.code.startswith(selector.upper()) or selector.lower() == rule.name


def validate_selectors(selectors, rules: list[Rule], where: str) -> None:
    for selector in selectors:
        if not isinstance(selector, str) or not any(selector_matches(selector, rule) for rule in rules):
            raise ConfigError(f"{where}: unknown rule code or name {selector!r}")


# enabled_rules' answers by what they depend on: every file of a run asks the same few
# questions. A key holds the rules' identities, and its value the rules (kept alive, so
# no identity is reused while the entry exists).
_ENABLED: dict[tuple, tuple[tuple[Rule, ...], list[Rule]]] = {}
_ENABLED_SIZE = 256


def enabled_rules(config: Config, rules: list[Rule], path: Path | None = None) -> list[Rule]:
    select = None if config.select is None else tuple(config.select)
    extend_select = tuple(config.extend_select)
    ignored = tuple(config.ignore) + tuple(per_file_ignored(config, path))
    key = (select, extend_select, ignored, tuple(map(id, rules)))
    cached = _ENABLED.get(key)
    if cached is None:
        if len(_ENABLED) >= _ENABLED_SIZE:
            _ENABLED.clear()
        cached = _ENABLED[key] = tuple(rules), _choose_rules(select, extend_select, ignored, rules)
    return list(cached[1])


def _choose_rules(select: tuple[str, ...] | None, extend_select: tuple[str, ...], ignored: tuple[str, ...], rules: list[Rule]) -> list[Rule]:
    chosen = []
    for rule in rules:
        if select is None:
            selected = rule.enabled_by_default
        else:
            selected = any(selector_matches(s, rule) for s in select)
        selected = selected or any(selector_matches(s, rule) for s in extend_select)
        if selected and not any(selector_matches(s, rule) for s in ignored):
            chosen.append(rule)
    return chosen


def _relative(config: Config, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@functools.lru_cache(maxsize=256)
def _glob_spec(patterns: tuple[str, ...]):
    """Patterns with .gitignore meaning (``*`` stays in a folder, ``**/`` any depth; a name
    without a slash matches at any depth), relative to the config file's folder."""
    import pathspec

    cleaned = [pattern[2:] if pattern.startswith("./") else pattern for pattern in patterns]
    return pathspec.GitIgnoreSpec.from_lines(cleaned)


def _glob_matches(patterns: tuple[str, ...], relative: str) -> bool:
    return _glob_spec(patterns).match_file(relative)


def is_excluded(config: Config, path: Path) -> bool:
    """A pattern in ``exclude`` matches the file or one of the folders it is in."""
    return bool(config.exclude) and _glob_matches(config.exclude, _relative(config, path))


def per_file_ignored(config: Config, path: Path | None) -> list[str]:
    if path is None or not config.per_file_ignores:
        return []
    relative = _relative(config, path)
    codes: list[str] = []
    for pattern, selectors in config.per_file_ignores:
        if _glob_matches((pattern,), relative):
            codes.extend(selectors)
    return codes


def _specificity(selector: str, rule: Rule) -> int:
    """How closely a matching selector names the rule: its code or name, a prefix, ALL."""
    selector = selector.strip()
    if selector.upper() == rule.code or selector.lower() == rule.name:
        return len(rule.code) + 1
    return 0 if selector.upper() == "ALL" else len(selector)


def severity_of(config: Config, rule: Rule) -> Severity:
    """The override from the most specific matching selector (``HG204`` beats ``HG2`` beats ``ALL``)."""
    if not config.severity:
        return rule.severity  # most configs override none: asked for every rule of every file
    matching = [(selector, severity) for selector, severity in config.severity if selector_matches(selector, rule)]
    if not matching:
        return rule.severity
    return max(matching, key=lambda pair: _specificity(pair[0], rule))[1]


def _string_list(value, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def parse_config(table: dict, rules: list[Rule], path: Path | None) -> Config:
    where = str(path) if path else "configuration"
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(sorted(KEYS))})")
    values: dict = {"path": path}
    for key in ("select", "extend-select", "ignore", "trusted-registries", "exclude", "insecure-registries"):
        if key in table:
            values[key.replace("-", "_")] = _string_list(table[key], key, where)
            if key not in ("trusted-registries", "exclude", "insecure-registries"):
                validate_selectors(values[key.replace("-", "_")], rules, f"{where}: {key}")
    if "per-file-ignores" in table:
        entries = table["per-file-ignores"]
        if not isinstance(entries, dict):
            raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [codes]")
        pairs = []
        for pattern, selectors in entries.items():
            selectors = _string_list(selectors, f"per-file-ignores.{pattern}", where)
            validate_selectors(selectors, rules, f"{where}: per-file-ignores")
            pairs.append((pattern, selectors))
        values["per_file_ignores"] = tuple(pairs)
    if "severity" in table:
        entries = table["severity"]
        if not isinstance(entries, dict):
            raise ConfigError(f"{where}: 'severity' must be a table of code = \"error\"|\"warning\"|\"info\"")
        pairs = []
        for selector, level in entries.items():
            validate_selectors([selector], rules, f"{where}: severity")
            try:
                pairs.append((selector, Severity.parse(str(level))))
            except ValueError as error:
                raise ConfigError(f"{where}: severity.{selector}: {error}") from None
        values["severity"] = tuple(pairs)
    if "sensitive-ports" in table:
        ports = table["sensitive-ports"]
        if not isinstance(ports, list) or not all(isinstance(p, int) and 0 < p < 65536 for p in ports):
            raise ConfigError(f"{where}: 'sensitive-ports' must be a list of port numbers (1-65535)")
        values["sensitive_ports"] = DEFAULT_SENSITIVE_PORTS | frozenset(ports)
    if "pss-level" in table:
        if table["pss-level"] not in PSS_LEVELS:
            raise ConfigError(f"{where}: 'pss-level' must be \"baseline\" or \"restricted\"")
        values["pss_level"] = table["pss-level"]
    if "pss-version" in table:
        values["pss_version"] = _pss_version(table["pss-version"], where)
    if "max-file-size" in table:
        size = table["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ConfigError(f"{where}: 'max-file-size' must be a number of bytes")
        values["max_file_size"] = size
    for key in ("resolve-digests", "registry-credential-helpers"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"{where}: '{key}' must be true or false")
            values[key.replace("-", "_")] = table[key]
    if "registry-timeout" in table:
        timeout = table["registry-timeout"]
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 600:
            raise ConfigError(f"{where}: 'registry-timeout' must be a number of seconds (more than 0, at most 600)")
        values["registry_timeout"] = float(timeout)
    return Config(**values)


def _pss_version(value, where: str) -> tuple[int, int] | None:
    """``"latest"`` or ``"v1.NN"``, as the pod-security.kubernetes.io/enforce-version label."""
    if value == "latest":
        return None
    match = re.fullmatch(r"v1\.(0|[1-9][0-9]*)", value) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f"{where}: 'pss-version' must be \"latest\" or a version such as \"v1.30\"")
    return 1, int(match.group(1))


def read_config_file(path: Path, rules: list[Rule]) -> Config | None:
    """The config in ``path``, or None for a pyproject.toml without ``[tool.hullguard]``."""
    if sys.version_info >= (3, 11):  # imported here: most runs find no config file
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("hullguard")
        if table is None:
            return None
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.hullguard] must be a table")
    return parse_config(table, rules, path)


class ConfigFinder:
    """Finds the config for a file by walking up, caching per folder."""

    def __init__(self, rules: list[Rule], explicit: Path | None = None):
        self.rules = rules
        self.explicit = read_config_file(explicit, rules) if explicit else None
        if explicit and self.explicit is None:
            raise ConfigError(f"{explicit}: no [tool.hullguard] table")
        self._by_folder: dict[str, Config] = {}  # by resolved folder
        self._by_dirname: dict[str, Config] = {}  # by folder as written: no symlinks resolved again

    def for_file(self, path: Path | None) -> Config:
        if self.explicit is not None:
            return self.explicit
        folder = os.path.dirname(path) if path else os.getcwd()
        config = self._by_dirname.get(folder)
        if config is None:
            # os.path, not Path.resolve: the same answer, without building Paths for every file.
            config = self._by_dirname[folder] = self._for_folder(os.path.realpath(folder))
        return config

    def _for_folder(self, folder: str) -> Config:
        if folder in self._by_folder:
            return self._by_folder[folder]
        config = None
        for name in CONFIG_FILES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                config = read_config_file(Path(candidate), self.rules)
                if config is not None:
                    break
        if config is None:
            parent = os.path.dirname(folder)
            config = Config() if parent == folder else self._for_folder(parent)
        self._by_folder[folder] = config
        return config
