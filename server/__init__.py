"""hullguard's language server (pygls): ``hullguard server`` or ``python -m hullguard.server``.

Modules: ``app`` (the server, its handlers and the lint scheduling), ``workspace`` (open
files, settings, dependants, the lint of a snapshot), ``protocol`` (positions, diagnostics
and edits in the protocol's terms), ``actions`` (code actions).
"""


def add_arguments(parser) -> None:
    """The server's options, for ``hullguard server`` and ``python -m hullguard.server``
    (kept here, free of pygls, so building the CLI's parser stays cheap)."""
    parser.add_argument("--stdio", action="store_true", help="accepted for clients that pass it; stdio is the only transport")
    parser.add_argument("--verbose", action="store_true", help="log debugging details to standard error")
