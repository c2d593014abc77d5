"""Redaction of secret values: enough to recognise the secret, never enough to use it."""


def redact(value: str) -> str:
    """``AKIA…****`` for values of 12 characters or more, ``****`` for shorter ones."""
    return f"{value[:4]}…****" if len(value) >= 12 else "****"
