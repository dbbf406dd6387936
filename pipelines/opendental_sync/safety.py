"""What the product may print, store or delete: masked URLs, errors without row values, safe paths.

Driver and Arrow messages can quote row values (pyarrow: "The string '123-45-6789x' is not a valid
decimal"; PostgreSQL's COPY context; connectorx's panics), and connection errors can quote a URL with
its password. Everything that reaches the run log, the summary or the logs goes through
``describe_error``: our own errors (``PublicError``, written without values) keep their message with
any URL masked; any other error is told by its kind and a fixed message.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# scheme://user:password@ -> scheme://user:***@ (any scheme; the password ends at the last @ before the host)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*):(?P<password>[^\s]*)@")
# libpq keyword form: password=... in a DSN
_DSN_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<password>'[^']*'|\S+)", re.IGNORECASE)


def mask_urls(text: str) -> str:
    """``text`` with the password of every URL or DSN in it replaced by ``***``."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}:***@", text)
    return _DSN_PASSWORD.sub(lambda m: f"{m.group('head')}***", text)


class PublicError(RuntimeError):
    """An error whose message we wrote ourselves: it names tables, columns and settings, never a row value.
    Its message is still masked for URLs before it is shown."""


class ValueNotCopyable(PublicError):
    """A source value that cannot be copied exactly (it would be lost or altered): names table and column."""

    def __init__(self, table: str, column: str, why: str):
        super().__init__(
            f"table {table!r}, column {column!r}: {why}. The table is not loaded this run (the others are); "
            "fix the value in OpenDental or exclude the column (sources.opendental.exclude_columns)"
        )
        self.table, self.column = table, column


# Fixed messages by error kind: what went wrong, without the driver's text (it may quote row values).
_FIXED: tuple[tuple[str, str], ...] = (
    ("UnicodeDecodeError", "a text value is not valid UTF-8"),
    ("ArrowInvalid", "a value could not be converted to its raw type"),
    ("ArrowNotImplementedError", "a value's type cannot be converted to its raw type"),
    ("DataError", "PostgreSQL rejected a value"),
    ("IntegrityError", "PostgreSQL refused a row (constraint)"),
    ("ProgrammingError", "a query failed (SQL or schema)"),
    ("OperationalError", "the database connection failed"),
    ("InterfaceError", "the database connection failed"),
    ("PanicException", "connectorx could not convert a value"),
    ("LoadClientJobFailed", "PostgreSQL rejected a load job"),
    ("LoadClientJobRetry", "PostgreSQL rejected a load job"),
)
# Words of a connection problem worth keeping (they tell the kind of trouble and never hold a value).
_CONNECTION_WORDS = re.compile(
    r"server closed the connection|connection refused|connection reset|lost connection|gone away|"
    r"terminating connection|could not connect|broken pipe|timed? ?out|shutdown|access denied|"
    r"authentication failed|unknown database|does not exist|ssl|tls|certificate",
    re.IGNORECASE,
)


def innermost(e: BaseException) -> BaseException:
    """The innermost cause of an error (dlt wraps step failures several times); our own errors win."""
    chain = [e]
    while chain[-1].__cause__ is not None and len(chain) < 50:
        chain.append(chain[-1].__cause__)
    for err in chain:
        if isinstance(err, PublicError):
            return err
    return chain[-1]


def describe_error(e: BaseException) -> str:
    """One line for the run log, the summary and the logs: the error's kind and a message without values."""
    err = innermost(e)
    kind = type(err).__name__
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if isinstance(err, PublicError):
        return f"{kind}: {mask_urls(text)}"[:500]
    fixed = next((message for name, message in _FIXED if name in kind), None)
    if fixed is None:
        fixed = "unexpected error (driver text withheld: it may quote row values)"
    words = sorted({w.lower() for w in _CONNECTION_WORDS.findall(text)})
    return f"{kind}: {fixed}" + (f" ({', '.join(words)})" if words else "")


def safe_dirname(name: str) -> str:
    """A folder name for a source table: letters, digits and ``_`` only, made unique by a hash of the name
    (``../..`` or ``/home/x`` never become paths)."""
    readable = re.sub(r"[^a-z0-9_]", "_", name.lower())[:40] or "t"
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"


def remove_tree(path: Path, root: Path) -> None:
    """Delete ``path`` (a folder of staged files) after checking it lies inside ``root``."""
    resolved, base = path.resolve(), root.resolve()
    if resolved == base.parent or not resolved.is_relative_to(base):
        raise PublicError(f"refusing to delete {path}: it is not inside the staging folder {root}")
    shutil.rmtree(resolved, ignore_errors=True)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by this user only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


class _StderrGuard:
    """Redirects file descriptor 2 while connectorx runs: its Rust panics print value fragments there
    before Python sees an exception. Lines written meanwhile by our own logging are passed on; the rest
    (the panic text) is dropped. Reentrant across threads: fd 2 is restored when the last reader leaves."""

    _LOG_LINE = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: int | None = None
        self._capture: tempfile._TemporaryFileWrapper[bytes] | None = None
        self.dropped_lines = 0

    def enter(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                sys.stderr.flush()
                self._capture = tempfile.NamedTemporaryFile(prefix="od-stderr-")  # noqa: SIM115
                self._saved = os.dup(2)
                os.dup2(self._capture.fileno(), 2)

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users or self._saved is None or self._capture is None:
                return
            sys.stderr.flush()
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._saved = None
            capture, self._capture = self._capture, None
        capture.seek(0)
        kept = []
        for line in capture.read().splitlines(keepends=True):
            if self._LOG_LINE.match(line):
                kept.append(line)
            elif line.strip():
                self.dropped_lines += 1
        capture.close()
        if kept:
            os.write(2, b"".join(kept))


_STDERR = _StderrGuard()


@contextmanager
def stderr_withheld() -> Iterator[None]:
    """Run a block whose native code may print row values to stderr (connectorx panics)."""
    _STDERR.enter()
    try:
        yield
    finally:
        _STDERR.leave()
