"""Where fabric client secrets come from: the environment or a mounted secrets file, never the
database or the repository."""

import os
from pathlib import Path

from django.core.exceptions import ValidationError

from contracts_ui.fabric.errors import FabricAuthError

CREDENTIAL_SOURCE_HELP = (
    "env:VARIABLE_NAME reads an environment variable; file:/path reads a file "
    "(e.g. a Docker or Kubernetes secret). The secret itself is never stored in the console."
)


class SecretNotFound(FabricAuthError):
    """The reference names no secret on this machine: a set-up fault pages report, not a crash."""

    default_user_message = (
        "The console has no fabric credentials for this account; an administrator must set them."
    )


def validate_secret_ref(ref: str) -> None:
    scheme, _, target = ref.partition(":")
    if scheme not in {"env", "file"} or not target:
        raise ValidationError("Use env:VARIABLE_NAME or file:/path.")


def resolve_secret(ref: str) -> str:
    """Read the secret a reference points at; raise SecretNotFound (naming the reference only)."""
    scheme, _, target = ref.partition(":")
    if scheme == "env":
        value = os.environ.get(target, "")
    elif scheme == "file":
        try:
            value = Path(target).read_text().strip()
        except OSError:
            value = ""
    else:
        value = ""
    if not value:
        raise SecretNotFound(f"No fabric client secret found at {ref!r}.")
    return value
