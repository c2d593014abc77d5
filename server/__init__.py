"""hullguard language server (pygls); built by the language-server issue."""
