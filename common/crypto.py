"""Encryption at rest with Fernet: the connectors' secrets (API tokens, consented identities) and the
files families upload (``encrypt_bytes`` / ``decrypt_bytes``).

The key is ``API_PARTICULIER_ENCRYPTION_KEY`` (a Fernet key: 32 url-safe base64 bytes) when set, else one
derived from ``SECRET_KEY`` with HKDF, so that a development setup needs nothing more. Changing the key
makes stored values unreadable: tokens must then be entered again. (The HKDF ``info`` keeps its first
name, ``connectors.secrets``: values stored before this module moved stay readable.)
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class DecryptionError(Exception):
    """A stored value cannot be decrypted with the current key."""


def _fernet() -> Fernet:
    key = getattr(settings, "API_PARTICULIER_ENCRYPTION_KEY", "")
    if not key:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"connectors.secrets").derive(
            settings.SECRET_KEY.encode()
        )
        key = base64.urlsafe_b64encode(derived)
    return Fernet(key)


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return decrypt_bytes(token.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError("stored value cannot be decrypted with the current key") from None
