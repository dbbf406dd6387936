"""A throwaway MariaDB with the binlog on, as a clinic's server would be set up for the binlog path: rows logged
in full (``binlog_format=ROW``, ``binlog_row_image=FULL``, ``binlog_row_metadata=FULL``). Its own data folder,
port and socket; the machine's own server is not touched. The tests and ``scripts/benchmark.py --binlog`` use it.

    with binlog_server() as server:
        url = server.url("opendental_demo")
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql  # type: ignore[import-untyped]

MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = "mariadb-install-db"
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class BinlogServer:
    """A running MariaDB of our own: root without a password on 127.0.0.1:``port``."""

    port: int
    datadir: Path
    process: subprocess.Popen[bytes]

    def url(self, database: str, user: str = "root", password: str = "") -> str:
        return f"mysql+pymysql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str | None = None, user: str = "root", password: str = "") -> Any:
        """An autocommit PyMySQL connection with OpenDental's session settings (blank sql_mode, UTC)."""
        return pymysql.connect(
            host="127.0.0.1",
            port=self.port,
            user=user,
            password=password,
            database=database,
            charset="utf8mb4",
            autocommit=True,
            init_command="SET sql_mode = '', time_zone = '+00:00'",
        )


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(datadir: Path, port: int) -> list[str]:
    """mariadbd with the binlog settings a clinic's administrator is asked for, and nothing of /etc/mysql."""
    return [
        MARIADBD,
        "--no-defaults",
        "--user=root",
        f"--datadir={datadir}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--socket={datadir / 'mariadbd.sock'}",
        f"--pid-file={datadir / 'mariadbd.pid'}",
        f"--log-error={datadir / 'error.log'}",
        f"--log-bin={datadir / 'binlog'}",
        "--binlog-format=ROW",
        "--binlog-row-image=FULL",
        "--binlog-row-metadata=FULL",
        "--server-id=1",
        "--innodb-buffer-pool-size=64M",
        "--key-buffer-size=256M",
    ]


@contextmanager
def binlog_server(workdir: Path | None = None) -> Iterator[BinlogServer]:
    """Create a data folder, start MariaDB on a free port with the binlog on, and stop it (and remove the
    folder) afterwards."""
    root = Path(tempfile.mkdtemp(prefix="od-binlog-", dir=workdir))
    datadir = root / "data"
    try:
        subprocess.run(
            [INSTALL_DB, "--no-defaults", "--user=root", f"--datadir={datadir}", "--skip-test-db",
             "--auth-root-authentication-method=normal"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        port = free_port()
        process = subprocess.Popen(server_command(datadir, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = BinlogServer(port, datadir, process)
        try:
            _wait_until_ready(server)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_ready(server: BinlogServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if server.process.poll() is not None:
            log = server.datadir / "error.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"mariadbd exited with {server.process.returncode} while starting: {tail}")
        with suppress(pymysql.err.OperationalError), closing(server.connect()) as conn, conn.cursor() as cur:
            cur.execute("SELECT @@log_bin")
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"mariadbd on port {server.port} did not answer within {START_TIMEOUT_S:.0f}s")
        time.sleep(0.2)
