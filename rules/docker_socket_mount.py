"""HG108 docker-socket-mount: the Docker (or another container runtime's) socket mounted into
a container."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._compose import volumes
from hullguard.rules._host_paths import host_path_volumes, runtime_socket


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for volume in host_path_volumes(manifest):
        what = runtime_socket(volume.path) if volume.path is not None else None
        if what is not None:
            yield RULE.finding(volume.span, f"{volume.label} mounts the {what} ({volume.path}), which gives the pod control of the node")


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        for volume in volumes(service):
            if not volume.is_host_path or volume.source.text is None:
                continue
            what = runtime_socket(volume.source.text)
            if what is not None:
                yield RULE.finding(volume.source.span, f"{service.label} mounts the {what} ({volume.source.text}), which gives it control of the host")


RULE = Rule(
    code="HG108",
    name="docker-socket-mount",
    severity=Severity.ERROR,
    summary="Container runtime socket mounted into the container",
    docs=RuleDocs(
        what="Checks for the container runtime's API socket mounted into a container: "
        "`/var/run/docker.sock` (and `/run/docker.sock`, rootless `/run/user/<uid>/docker.sock`), "
        "containerd's `/run/containerd/containerd.sock` (k3s: `/run/k3s/containerd/"
        "containerd.sock`), CRI-O's `/var/run/crio/crio.sock`, Podman's "
        "`/run/podman/podman.sock` (rootless: `/run/user/<uid>/podman/podman.sock`), "
        "`/run/cri-dockerd.sock`, and Docker's Windows named pipe `\\\\.\\pipe\\docker_engine`; "
        "each under `/run` or `/var/run`, compared after normalisation.\n\n"
        "- **Compose**: a bind mount of one of them, in short syntax "
        "(`/var/run/docker.sock:/var/run/docker.sock`, `:ro` too) or long syntax (`type: bind` or "
        "`type: npipe` with `source:`). The finding points at the source path.\n"
        "- **Kubernetes**: a `hostPath` volume of one of them. Such a volume is also reported by "
        "HG107, on purpose: HG107 gives the Pod Security Standards decision (no hostPath at "
        "all), this rule the much graver specific danger.\n\n"
        "A mount of a folder holding a socket (`/var/run`, `/run/containerd`) is HG107's. "
        "`VOLUME /var/run/docker.sock` in a Dockerfile only declares a mount point, so "
        "Dockerfiles are not checked.",
        why="Whoever can talk to the runtime's socket can start a privileged container with the "
        "host's root filesystem mounted: it is root on the host, with no exploit needed. "
        "Mounting it read-only changes nothing, since the API is used by connecting to the "
        "socket, not by writing the file. CI runners, reverse proxies and monitoring tools that "
        "ask for it should get a narrower proxy (an API filter that allows only what they need) "
        "or a rootless/remote builder instead.",
        example="```yaml\nservices:\n  proxy:\n    image: traefik:v3.1\n    volumes:\n"
        "      - /var/run/docker.sock:/var/run/docker.sock:ro   # HG108\n```\nFixed:\n```yaml\n"
        "services:\n  socket-proxy:\n    image: example/docker-socket-proxy:1.0   # allows read-only "
        "container listing only\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro   "
        "# hullguard: ignore[HG108] the proxy is the only holder\n  proxy:\n    image: traefik:v3.1\n"
        "    environment:\n      DOCKER_HOST: tcp://socket-proxy:2375\n```\nKubernetes:\n```yaml\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: builder\nspec:\n  containers:\n    - name: build\n"
        "      image: docker:27-cli\n      volumeMounts:\n        - name: docker\n          mountPath: "
        "/var/run/docker.sock\n  volumes:\n    - name: docker\n      hostPath:\n        path: "
        "/var/run/docker.sock   # HG108 (and HG107)\n```\nFixed: build with a daemonless builder "
        "(BuildKit rootless, kaniko) instead of the node's runtime.",
        fix="None automatic: the container uses the socket for something, and what replaces it "
        "(a filtering proxy, a rootless builder) is a design decision.",
        peers="kube-linter docker-sock and container-runtime-sock; trivy KSV006 (Docker socket); "
        "in Kubernetes also the Pod Security Standards baseline control hostPathVolumes (see "
        "HG107).",
    ),
    checks={Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
)
