"""Access keys from configuration: ``mock_ecs(access_keys=...)``, a JSON file, or a variable.

The JSON document (a file named by ``MOCK_ECS_ACCESS_KEYS_FILE``, or the text of
``MOCK_ECS_ACCESS_KEYS``) is one object, access key ID -> the key, in any of three forms::

    {
      "LTAIalice": {"secret": "aliceSecret", "account_id": "1111111111111111"},
      "LTAIbob": ["bobSecret", "2222222222222222"],
      "LTAIdefault": "defaultSecret"
    }

A key without an account ID belongs to the default account. Anything else (not JSON, not an
object, an empty secret, an unknown field) is an ``AccessKeysError`` naming where it came
from, raised when the mock starts.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional, Tuple

from .backend import DEFAULT_ACCOUNT_ID

FILE_VARIABLE = "MOCK_ECS_ACCESS_KEYS_FILE"
INLINE_VARIABLE = "MOCK_ECS_ACCESS_KEYS"

# access key ID -> (secret, account ID)
Keys = Dict[str, Tuple[str, str]]


class AccessKeysError(ValueError):
    """Access keys given in a form mock_ecs cannot use."""


def _text(value: Any, what: str, source: str) -> str:
    if not isinstance(value, str) or not value:
        raise AccessKeysError(f"{source}: {what} must be a non-empty string, not {value!r}")
    return value


def _entry(key_id: str, value: Any, source: str) -> Tuple[str, str]:
    where = f"access key {key_id!r}"
    account: Any = DEFAULT_ACCOUNT_ID
    if isinstance(value, str):
        secret: Any = value
    elif isinstance(value, (list, tuple)):
        if len(value) not in (1, 2):
            raise AccessKeysError(f"{source}: {where} must be [secret] or [secret, account_id], not {value!r}")
        secret = value[0]
        if len(value) == 2:
            account = value[1]
    elif isinstance(value, Mapping):
        unknown = set(value) - {"secret", "account_id"}
        if unknown:
            raise AccessKeysError(
                f"{source}: {where} has unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
                "the fields are 'secret' and 'account_id'"
            )
        if "secret" not in value:
            raise AccessKeysError(f"{source}: {where} has no 'secret'")
        secret = value["secret"]
        account = value.get("account_id", DEFAULT_ACCOUNT_ID)
    else:
        raise AccessKeysError(
            f"{source}: {where} must be a secret, [secret, account_id] or "
            f"{{\"secret\": ..., \"account_id\": ...}}, not {value!r}"
        )
    return _text(secret, f"the secret of {where}", source), _text(account, f"the account_id of {where}", source)


def parse(doc: Any, source: str) -> Keys:
    """Check and normalise a mapping of access keys (from JSON or from Python)."""
    if not isinstance(doc, Mapping):
        raise AccessKeysError(
            f"{source}: access keys must be an object of access key ID -> key, not {type(doc).__name__}"
        )
    keys: Keys = {}
    for key_id, value in doc.items():
        keys[_text(key_id, "an access key ID", source)] = _entry(key_id, value, source)
    return keys


def parse_json(text: str, source: str) -> Keys:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise AccessKeysError(f"{source}: not valid JSON ({exc})") from None
    return parse(doc, source)


def load_file(path: str, source: Optional[str] = None) -> Keys:
    source = source or f"access keys file {path!r}"
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessKeysError(f"{source} cannot be read: {exc}") from None
    return parse_json(text, source)


def from_environment(environ: Optional[Mapping[str, str]] = None) -> Keys:
    """Keys of ``MOCK_ECS_ACCESS_KEYS_FILE`` then ``MOCK_ECS_ACCESS_KEYS`` (which wins)."""
    env = os.environ if environ is None else environ
    keys: Keys = {}
    path = env.get(FILE_VARIABLE, "")
    if path:
        keys.update(load_file(path, f"access keys file {path!r} (named by {FILE_VARIABLE})"))
    inline = env.get(INLINE_VARIABLE, "")
    if inline.strip():
        keys.update(parse_json(inline, f"environment variable {INLINE_VARIABLE}"))
    return keys
