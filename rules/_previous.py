"""Old and new versions of the same things, for the regression rules (``Rule.needs_previous``:
HG111, HG208, HG405, HG511), which compare a document with its version at the revision
``check --since`` names (``RuleContext.previous``).

Things are paired by the owners ``hullguard.identity`` gives them, the same the finding
identities use: a Dockerfile stage by name (the unnamed last stage is the final stage
whatever stages come before it), a compose service by name, a Kubernetes object by kind,
namespace and name, and a container by its object and its name. What has no counterpart
in the old version (a new stage, service, object or container) is not compared: it is
new, and the other rules report it as such.
"""
from __future__ import annotations

from typing import Iterator

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Stage
from hullguard.identity import container_owner, object_owner, service_owner, stage_owner
from hullguard.kubernetes import Container, KubeObject, KubernetesFile


def previous(context: RuleContext, model_type: type):
    """The old version's model when it is a ``model_type`` (None when not comparing)."""
    return context.previous if isinstance(context.previous, model_type) else None


def paired_stages(new: Dockerfile, old: Dockerfile) -> Iterator[tuple[Stage, Stage]]:
    before = {stage_owner(old, stage): stage for stage in old.stages}
    for stage in new.stages:
        match = before.get(stage_owner(new, stage))
        if match is not None:
            yield stage, match


def paired_services(new: ComposeFile, old: ComposeFile) -> Iterator[tuple[Service, Service]]:
    before = {service_owner(service): service for service in old.services}
    for service in new.services:
        match = before.get(service_owner(service))
        if match is not None:
            yield service, match


def paired_objects(new: KubernetesFile, old: KubernetesFile) -> Iterator[tuple[KubeObject, KubeObject]]:
    before = {object_owner(obj): obj for obj in old.objects}
    for obj in new.objects:
        match = before.get(object_owner(obj))
        if match is not None:
            yield obj, match


def paired_containers(new: KubernetesFile, old: KubernetesFile) -> Iterator[tuple[KubeObject, Container, KubeObject, Container]]:
    """(object, container, old object, old container) for every container of a workload
    that was there before."""
    for obj, old_obj in paired_objects(new, old):
        if obj.pod is None or old_obj.pod is None:
            continue
        before = {container_owner(old_obj, container): container for container in old_obj.pod.containers}
        for container in obj.pod.containers:
            match = before.get(container_owner(obj, container))
            if match is not None:
                yield obj, container, old_obj, match
