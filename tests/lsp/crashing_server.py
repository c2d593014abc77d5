"""The language server with HG101's Dockerfile check replaced by one that raises: the
tests check that a broken rule is reported, once, and the other rules still published."""
import sys

from hullguard.model import Format
from hullguard.rules import run_as_root


def broken(dockerfile, context):
    raise RuntimeError("deliberately broken for the test")


run_as_root.RULE.checks[Format.DOCKERFILE] = broken

from hullguard.server.app import main  # noqa: E402  (after the patch, as a user's run would import it)

sys.exit(main())
