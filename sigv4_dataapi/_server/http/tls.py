"""TLS for the endpoint: a local CA and a server certificate, made once per state dir.

The CA's certificate (``ca.pem``) is what clients verify against
(``verify=ca_file`` in boto3 or httpx, ``--cacert`` in curl); the server
certificate covers 127.0.0.1, ::1 and localhost. Both are reused while they
are valid, so a client's trust survives restarts. ``cryptography`` is
imported here only, and only when TLS is on.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sigv4_dataapi._errors import MissingDependencyError

_VALID_DAYS = 825  # the longest lifetime clients accept for a server certificate
_RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


def _crypto() -> Any:
    try:
        from cryptography import x509
    except ModuleNotFoundError as exc:
        raise MissingDependencyError("TLS for `serve`", "serve", "cryptography") from exc
    return x509


def _still_valid(files: TlsFiles, now: dt.datetime) -> bool:
    if not all(p.exists() for p in (files.ca_file, files.cert_file, files.key_file)):
        return False
    x509 = _crypto()
    try:
        cert = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
    except ValueError:
        return False
    return bool(cert.not_valid_after_utc - _RENEW_BEFORE > now)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _build(name: Any, issuer: Any, public_key: Any, now: dt.datetime, days: int) -> Any:
    x509 = _crypto()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )


def _ca_key_usage(x509: Any) -> Any:
    """A CA signs certificates and CRLs, nothing else."""
    flags = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
         "key_agreement", "encipher_only", "decipher_only"),
        False,
    )  # fmt: skip
    return x509.KeyUsage(key_cert_sign=True, crl_sign=True, **flags)


def _named(x509: Any, text: str) -> Any:
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _make_ca(x509: Any, now: dt.datetime) -> tuple[Any, Any]:
    """A self-signed CA (10 years) that may only sign certificates: (key, certificate)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = _named(x509, "sigv4-dataapi local CA")
    cert = (
        _build(name, name, key.public_key(), now, 3650)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(x509), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_server(x509: Any, ca_key: Any, ca: Any, now: dt.datetime) -> tuple[Any, Any]:
    """A server certificate for localhost, 127.0.0.1 and ::1, signed by the CA."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key = ec.generate_private_key(ec.SECP256R1())
    names = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    cert = (
        _build(_named(x509, "localhost"), ca.subject, key.public_key(), now, _VALID_DAYS)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _create(files: TlsFiles, now: dt.datetime) -> None:
    from cryptography.hazmat.primitives import serialization

    x509 = _crypto()
    ca_key, ca = _make_ca(x509, now)
    key, cert = _make_server(x509, ca_key, ca, now)
    pem = serialization.Encoding.PEM
    private = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_private(files.key_file, private)
    files.cert_file.write_bytes(cert.public_bytes(pem))
    files.ca_file.write_bytes(ca.public_bytes(pem))


def ensure_certificates(state_dir: Path, *, now: dt.datetime) -> TlsFiles:
    """The CA and server certificate files in ``state_dir``, created when missing or old."""
    files = TlsFiles(state_dir / "ca.pem", state_dir / "server.pem", state_dir / "server-key.pem")
    if not _still_valid(files, now):
        _create(files, now)
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.cert_file, files.key_file)
    return context
