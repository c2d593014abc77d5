"""HG107 host-path-mount: a host directory or file mounted into the container (Pod Security
Standards control hostPathVolumes; compose bind mounts of sensitive host paths)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._compose import volumes
from hullguard.rules._host_paths import host_path_volumes, sensitive


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    # Baseline control hostPathVolumes; at restricted, restrictedVolumes overrides it and rejects
    # hostPath just the same: reported here at both levels, never by HG508.
    for volume in host_path_volumes(manifest):
        if volume.path is None:
            what = "is a hostPath volume"
        else:
            sensitivity = sensitive(volume.path, read_only=False)
            what = f"mounts host path {sensitivity.describe(volume.path) if sensitivity else volume.path}"
        yield RULE.finding(volume.span, f"{volume.label} {what}; PSS baseline does not allow hostPath volumes")


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        for volume in volumes(service):
            if volume.type != "bind" or volume.source is None or volume.source.text is None:
                continue
            sensitivity = sensitive(volume.source.text, volume.read_only)
            if sensitivity is not None:
                note = "; read-only does not make it safe" if volume.read_only else ""
                yield RULE.finding(volume.source.span, f"{service.label} mounts sensitive host path {sensitivity.describe(volume.source.text)}{note}")


RULE = Rule(
    code="HG107",
    name="host-path-mount",
    severity=Severity.ERROR,
    summary="Host path mounted into the container",
    docs=RuleDocs(
        what="Checks the host directories and files mounted into containers. The finding points "
        "at the host path.\n\n"
        "- **Kubernetes**: the Pod Security Standards control *hostPathVolumes* (baseline, so it "
        "applies at both levels and every version): any `spec.volumes[]` entry with a `hostPath` "
        "source, whatever its path, in a Pod or any workload's pod template. At the restricted "
        "level the admission controller rejects hostPath through *restrictedVolumes* instead; "
        "hullguard reports hostPath here at both levels and HG508 reports the other volume types, "
        "so each volume is reported once. A hostPath that is also a container-runtime socket "
        "(`/var/run/docker.sock`) is reported by HG108 too, on purpose: this rule gives the PSS "
        "decision, HG108 the socket's specific danger. The message names what a sensitive path "
        "holds.\n"
        "- **Compose**: bind mounts (short syntax `/etc:/host/etc`, long syntax `type: bind` with "
        "`source:`) of sensitive host paths. Bind mounts of project files (`./conf:/etc/app`) "
        "and of ordinary host paths (`/etc/localtime`, `/srv/data`) are fine. Sensitive are:\n"
        "  - the folder itself, not what is inside it: `/` (the whole host), `/etc`, `/home`, "
        "`~` (the home directory; `~/src` is fine) and `/dev`; and every folder that holds a "
        "sensitive path (`/var` and `/var/lib` hold `/var/lib/docker`);\n"
        "  - the path and everything inside it: `/root`, `/proc`, `/run` and `/var/run` (host "
        "daemon sockets: D-Bus, systemd), `/var/lib/docker`, `/var/lib/containerd`, "
        "`/var/lib/kubelet`, `/var/lib/etcd`, `/etc/shadow`, `/etc/gshadow`, `/etc/ssh`, "
        "`/etc/kubernetes`, `/etc/docker`. For these and the ones above, read-only is no "
        "excuse: reading them is the danger (keys, tokens, password hashes, other containers' "
        "files), and a socket or a device node works through a read-only mount too;\n"
        "  - the path and everything inside it, unless mounted read-only (`:ro`, or `read_only: "
        "true`): `/usr`, `/bin`, `/sbin`, `/lib`, `/lib32`, `/lib64`, `/boot`, `/sys`, "
        "`/etc/passwd`, `/etc/group`, `/etc/sudoers(.d)`, `/etc/crontab`, `/etc/cron.d`, "
        "`/etc/systemd`, `/etc/ld.so.preload`. Here the danger is writing: replacing host "
        "programs, adding a root account or a job that runs as root.\n\n"
        "  Container-runtime sockets are left to HG108. Paths are compared after normalisation "
        "(`//etc/`, `/usr/../etc`); a source from a variable (`${DATA_DIR}`) is unknown and "
        "not reported.",
        why="A host path mount breaks the container boundary from the inside: a container that can "
        "write `/etc`, `/root/.ssh` or `/usr/bin` can give itself root on the host at the next "
        "login, cron run or reboot, and one that can read `/`, `/var/lib/kubelet` or "
        "`/var/lib/docker` reads every secret on the node, other containers' included. "
        "Kubernetes' baseline policy forbids every hostPath because even a harmless-looking one "
        "can be turned into a symlink escape or fill the node's disk.",
        example="```yaml\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: log-shipper\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: shipper\n          image: example/shipper:2.1\n"
        "          volumeMounts:\n            - name: logs\n              mountPath: /logs\n      volumes:\n"
        "        - name: logs\n          hostPath:\n            path: /var/log   # HG107\n```\n"
        "Fixed: ship logs from the container runtime's log stream (or a sidecar) instead, or "
        "run the DaemonSet in a namespace with the privileged PSS level and suppress the "
        "finding with a reason.\n\nCompose:\n```yaml\nservices:\n  backup:\n    image: example/backup:1.0\n"
        "    volumes:\n      - /etc:/host/etc       # HG107\n      - /:/rootfs:ro         # HG107\n"
        "      - /usr/share/zoneinfo:/usr/share/zoneinfo:ro\n```\nFixed:\n```yaml\nservices:\n"
        "  backup:\n    image: example/backup:1.0\n    volumes:\n      - ./backup.conf:/etc/backup.conf:ro\n"
        "      - backup-data:/data\n      - /usr/share/zoneinfo:/usr/share/zoneinfo:ro\nvolumes:\n"
        "  backup-data:\n```",
        fix="None automatic: what the container should get instead (a named volume, a project "
        "file, a narrower path, a read-only mount) depends on what it does with the host path.",
        peers="Pod Security Standards baseline control hostPathVolumes (HostPath Volumes); "
        "kube-linter sensitive-host-mounts (hostPath of system directories); trivy KSV023 "
        "(any hostPath) and KSV121 (sensitive hostPath).",
    ),
    checks={Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
)
