"""``python -m hullguard.server``: the language server over stdio."""
import sys

from hullguard.server.app import main

sys.exit(main())
