"""HG000 invalid-file: the file cannot be read or parsed, so no other rule ran on it."""
from hullguard.model import Rule, RuleDocs, Severity

RULE = Rule(
    code="HG000",
    name="invalid-file",
    severity=Severity.ERROR,
    summary="File cannot be parsed",
    docs=RuleDocs(
        what="Reports a file hullguard cannot lint: binary or non-UTF-8 content, an empty "
        "Dockerfile, an unknown instruction, an unterminated heredoc, or a template "
        "(`{{ … }}`) rather than a plain file. The message names the cause and the position.",
        why="A file that does not parse is not checked by any other rule; silently skipping "
        "it would hide every problem in it. A template is reported so you can exclude it "
        "with `per-file-ignores` and lint its rendered output instead.",
        example="```dockerfile\nFROM alpine:3.20\nRUNN apk add curl   # HG000: unknown instruction 'RUNN'\n```",
        fix="None: correct the file, or ignore it with `per-file-ignores = {\"*.template\" = [\"HG000\"]}`.",
        peers="hadolint reports parse errors as DL1000.",
    ),
    hadolint=("DL1000",),
)
