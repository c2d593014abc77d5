"""The rule registry: every rule, explicitly listed, one module per rule."""
from hullguard.model import Rule
from hullguard.rules import (
    add_instead_of_copy,
    image_not_pinned_by_digest,
    invalid_file,
    missing_dockerignore,
    missing_healthcheck,
    missing_pipefail,
    mutable_image_tag,
    namespace_without_network_policy,
    no_install_recommends,
    package_cache_left_in_layer,
    pipe_to_shell,
    remote_add_without_checksum,
    run_as_root,
    secret_file_copied,
    secret_in_env_or_arg,
    sensitive_port_exposed,
    sudo,
    tls_verification_disabled,
    unpinned_packages,
    untrusted_registry,
    unused_suppression,
)

INVALID_FILE = invalid_file.RULE
UNUSED_SUPPRESSION = unused_suppression.RULE

ALL_RULES: list[Rule] = sorted(
    [
        invalid_file.RULE,
        unused_suppression.RULE,
        run_as_root.RULE,
        sudo.RULE,
        mutable_image_tag.RULE,
        image_not_pinned_by_digest.RULE,
        untrusted_registry.RULE,
        add_instead_of_copy.RULE,
        remote_add_without_checksum.RULE,
        pipe_to_shell.RULE,
        tls_verification_disabled.RULE,
        secret_in_env_or_arg.RULE,
        secret_file_copied.RULE,
        missing_dockerignore.RULE,
        sensitive_port_exposed.RULE,
        missing_healthcheck.RULE,
        unpinned_packages.RULE,
        package_cache_left_in_layer.RULE,
        no_install_recommends.RULE,
        missing_pipefail.RULE,
        namespace_without_network_policy.RULE,
    ],
    key=lambda rule: rule.code,
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in ALL_RULES}


def find_rule(code_or_name: str) -> Rule | None:
    return RULES_BY_CODE.get(code_or_name.upper()) or RULES_BY_NAME.get(code_or_name.lower())
