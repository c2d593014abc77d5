"""Output formats. Each renders a list of lint results to a string; none prints a secret
value (findings already carry redacted messages, and no format prints source lines)."""
from __future__ import annotations

from hullguard.output import github, json_format, sarif, text

FORMATS = {"text": text.render, "json": json_format.render, "sarif": sarif.render, "github": github.render}
# Formats that render each result on its own, which forked workers can then do in parallel.
RESULT_RENDERERS = {"json": json_format.result_lines}
