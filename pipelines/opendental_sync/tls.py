"""Encryption in transit for the source: one set of TLS settings for every connection, PyMySQL's and
connectorx's alike.

The settings are the source URL's query options, as SQLAlchemy and PyMySQL spell them
(``?ssl_ca=/etc/od/ca.pem&ssl_cert=...&ssl_key=...&ssl_verify_cert=true&ssl_check_hostname=true``), and
``require_tls`` in ``[sources.opendental]``, which refuses a plaintext connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL

TLS_QUERY_KEYS = ("ssl_ca", "ssl_cert", "ssl_key", "ssl_verify_cert", "ssl_check_hostname")


def _flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class SourceTls:
    """The TLS settings of the source connections."""

    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    verify_cert: bool = True
    check_hostname: bool = True
    required: bool = False

    @classmethod
    def from_url(cls, url: URL, required: bool) -> SourceTls:
        q: dict[str, Any] = {k: (v[-1] if isinstance(v, tuple) else v) for k, v in url.query.items()}
        return cls(
            q.get("ssl_ca"),
            q.get("ssl_cert"),
            q.get("ssl_key"),
            _flag(q.get("ssl_verify_cert"), True),
            _flag(q.get("ssl_check_hostname"), True),
            required,
        )

    @property
    def enabled(self) -> bool:
        return self.required or bool(self.ca or self.cert)

    def pymysql_ssl(self) -> dict[str, Any] | None:
        """PyMySQL's ``ssl`` argument; without a CA, the server's certificate is not verified."""
        if not self.enabled:
            return None
        ssl: dict[str, Any] = {}
        if self.ca:
            ssl["ca"] = self.ca
            ssl["check_hostname"] = self.verify_cert and self.check_hostname
            if not self.verify_cert:
                import ssl as ssl_module

                ssl["verify_mode"] = ssl_module.CERT_NONE
        if self.cert:
            ssl["cert"] = self.cert
        if self.key:
            ssl["key"] = self.key
        return ssl

    def connectorx_query(self) -> dict[str, str]:
        """connectorx's MySQL options (``ssl-mode``, ``ssl-ca``): the same encryption and verification."""
        if not self.enabled:
            return {}
        if self.ca and self.verify_cert:
            mode = "VERIFY_IDENTITY" if self.check_hostname else "VERIFY_CA"
            return {"ssl-mode": mode, "ssl-ca": self.ca}
        return {"ssl-mode": "REQUIRED"}


def without_tls_query(url: URL) -> URL:
    return url.difference_update_query(TLS_QUERY_KEYS)
