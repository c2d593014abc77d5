"""The one-click "harden this container to Pod Security Standards restricted" fix, offered
beside the rules' own fixes (HG101, HG103, HG104, HG503), and the conditions under which the
settings it writes would make the pod invalid or unable to start.

The fix merges, in one edit per mapping, the container-level settings the restricted level
requires: ``runAsNonRoot: true``, ``allowPrivilegeEscalation: false``, ``capabilities.drop:
[ALL]`` (an ``add`` list is kept) and ``seccompProfile.type: RuntimeDefault``. Settings already
in force are left alone: a ``Localhost`` seccomp profile or a pod-level ``RuntimeDefault`` is
not overwritten, a pod-level ``runAsNonRoot: true`` is not repeated.
"""
from __future__ import annotations

from hullguard.kubernetes import Container, PodTemplate
from hullguard.model import Applicability, Fix
from hullguard.rules._pod import effective, is_windows
from hullguard.rules._profiles import profile_of
from hullguard.text import SourceText
from hullguard.yamledit import merge_into
from hullguard.yamlfile import bool_of, int_of, items, node_at, text_of

RESTRICTED_SECURITY_CONTEXT = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def escalation_required(container: Container) -> bool:
    """Whether the API server rejects ``allowPrivilegeEscalation: false`` on this container:
    it is privileged, or adds ``CAP_SYS_ADMIN`` (the validation compares that exact string)."""
    context = container.security_context()
    if bool_of(node_at(context, "privileged")) is True:
        return True
    return any(text_of(item) == "CAP_SYS_ADMIN" for item in items(node_at(context, "capabilities", "add")))


def runs_as_uid_zero(pod: PodTemplate, container: Container) -> bool:
    """Whether the container's ``runAsUser`` in force (its own, else the pod's) is 0: the
    kubelet refuses to start such a container once ``runAsNonRoot`` is true."""
    return int_of(effective(pod, container, "runAsUser").node) == 0


def harden_fix(source: SourceText, pod: PodTemplate, container: Container, besides: list[Fix] = ()) -> Fix | None:
    """The hardening fix for ``container``; None when there is nothing to add, when it would
    only repeat one of ``besides`` (the rule's own fixes), or when the result would not run:
    a Windows pod (the API server forbids most of these fields there), a privileged container
    or one adding CAP_SYS_ADMIN, a container whose runAsUser is 0."""
    if is_windows(pod) or escalation_required(container) or runs_as_uid_zero(pod, container):
        return None
    desired = dict(RESTRICTED_SECURITY_CONTEXT)
    if bool_of(effective(pod, container, "runAsNonRoot").node) is True:
        del desired["runAsNonRoot"]
    profile = profile_of(container.security_context(), "seccompProfile") or profile_of(pod.security_context(), "seccompProfile")
    if profile is not None and profile.allowed:
        del desired["seccompProfile"]
    edits = merge_into(source, container.mapping, {"securityContext": desired})
    if not edits or any(tuple(edits) == fix.edits for fix in besides):
        return None
    return Fix(f"Harden {container.label} to Pod Security Standards restricted", Applicability.UNSAFE, tuple(edits))


def with_harden_fix(fixes: list[Fix], source: SourceText, pod: PodTemplate, container: Container) -> list[Fix]:
    """``fixes`` followed by the hardening fix, when it is offered."""
    harden = harden_fix(source, pod, container, fixes)
    return fixes + [harden] if harden is not None else fixes
