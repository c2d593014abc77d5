"""Tests of image pinning: reference normalisation, the lock cache, the registry client and
`hullguard pin`, against a real registry on 127.0.0.1 (a package, so that its conftest does
not shadow tests/conftest.py for `from conftest import …`)."""
