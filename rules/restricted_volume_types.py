"""HG508 restricted-volume-types: a volume type the Pod Security Standards restricted level
does not allow (control restrictedVolumes)."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamlfile import items, text_of

ALLOWED = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret")
# Every other volume source of the core API. hostPath is one too, but HG107 reports it at both
# levels (the baseline control hostPathVolumes, which restrictedVolumes overrides).
RESTRICTED = (
    "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte",
    "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
)


def _is_set(node) -> bool:
    return node is not None and not (isinstance(node, YamlScalar) and node.is_null)


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    if not context.restricted:
        return
    for obj in manifest.workloads:
        for volume in items(obj.pod.spec.get("volumes") if obj.pod.spec else None):
            if not isinstance(volume, YamlMapping) or any(_is_set(volume.get(key)) for key in ALLOWED):
                continue
            for key in RESTRICTED:
                pair = volume.get_pair(key)
                if pair is not None and _is_set(pair[1]):
                    name = text_of(volume.get("name"))
                    label = f"volume '{name}'" if name else "a volume"
                    message = f"{label} of {obj.label} uses volume type {key}; PSS restricted allows only {', '.join(ALLOWED)}"
                    yield RULE.finding(pair[0].span, message)
                    break


RULE = Rule(
    code="HG508",
    name="restricted-volume-types",
    severity=Severity.WARNING,
    summary="Volume type not allowed by PSS restricted",
    docs=RuleDocs(
        what="The Pod Security Standards control *restrictedVolumes* (restricted level only, "
        "every version): each `spec.volumes[]` entry of a Pod or workload pod template must use "
        "one of the allowed sources: `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, "
        "`image`, `persistentVolumeClaim`, `projected`, `secret`. `image` volumes are allowed at "
        "every version, as the admission controller does (the kubernetes.io page does not list "
        "them yet). Reported, at the volume type's key: `nfs`, `gitRepo`, `iscsi`, `cephfs`, "
        "`rbd`, `glusterfs`, `flexVolume`, `azureDisk`, `azureFile`, `awsElasticBlockStore`, "
        "`gcePersistentDisk` and the other in-tree sources. A volume with no source, or whose "
        "source key has no value, is an `emptyDir` after API defaulting and passes.\n\n"
        "`hostPath` is not reported here: it is forbidden at both levels, and HG107 reports it "
        "(the restricted control overrides the baseline hostPathVolumes control, which rejects "
        "it just the same), so a hostPath volume is reported once. Silent at `pss-level = "
        "baseline`.",
        why="The in-tree volume types connect the pod to storage directly, with the node's "
        "credentials or none (NFS, iSCSI, Ceph, cloud disks by id), bypassing the "
        "PersistentVolume/StorageClass layer where a cluster administrator controls what may be "
        "mounted; `gitRepo` runs `git` on the node as root against a repository the pod "
        "names. Restricted pods get storage only through claims, CSI drivers and the "
        "projected/ephemeral types.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: reports\nspec:\n  containers:\n"
        "    - name: app\n      image: example/reports:3.2\n      volumeMounts:\n        - name: shared\n"
        "          mountPath: /shared\n  volumes:\n    - name: shared\n      nfs:   # HG508 at restricted\n"
        "        server: nfs.example.internal\n        path: /exports/reports\n```\nFixed (an NFS "
        "PersistentVolume, claimed):\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: reports\n"
        "spec:\n  containers:\n    - name: app\n      image: example/reports:3.2\n      volumeMounts:\n"
        "        - name: shared\n          mountPath: /shared\n  volumes:\n    - name: shared\n"
        "      persistentVolumeClaim:\n        claimName: reports-shared\n```",
        fix="None automatic: the replacement (a PersistentVolume and claim, a CSI driver) needs "
        "objects and decisions outside the pod.",
        peers="Pod Security Standards restricted control restrictedVolumes (Volume Types); trivy "
        "KSV028 (a subset of the types).",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
)
