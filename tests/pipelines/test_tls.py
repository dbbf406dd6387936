"""Encrypted in transit (issue 15): the TLS settings of the source URL reach every connection, connectorx's
bulk reads included; ``require_tls`` refuses plaintext; errors a retry cannot fix fail at once.

A throwaway second MariaDB is started with TLS and ``require_secure_transport`` (so a plaintext read fails),
with certificates made here by openssl. The machine's own MariaDB has TLS disabled: it is the plaintext server.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg2
import pymysql  # type: ignore[import-untyped]
import pytest

from conftest import mysql_admin, mysql_url
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.retry import RetryPolicy
from opendental_sync.source import SourceDatabase, SourceUnreachable
from opendental_sync.sync import Synchronizer

pytestmark = pytest.mark.skipif(shutil.which("mariadbd") is None, reason="needs mariadbd to start a TLS server")


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder: Path, name: str) -> None:
    """A CA and a server certificate for 127.0.0.1 signed by it: ``{name}-ca.pem``, ``server.pem``."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-ca.key", "-out", f"{name}-ca.pem",
            "-days", "2", "-subj", f"/CN={name} test CA", cwd=folder)  # fmt: skip
    if name != "server":
        return
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1", cwd=folder)  # fmt: skip
    openssl("x509", "-req", "-in", "server.csr", "-CA", "server-ca.pem", "-CAkey", "server-ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf", cwd=folder)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A MariaDB that accepts only TLS connections; yields its port and the folder of its CA."""
    folder = tmp_path_factory.mktemp("tls-mariadb")
    make_certificates(folder, "server")
    make_certificates(folder, "other")
    subprocess.run(
        ["mariadb-install-db", "--no-defaults", f"--datadir={folder}/data", "--user=root",
         "--auth-root-authentication-method=normal"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        ["mariadbd", "--no-defaults", "--user=root", f"--datadir={folder}/data", f"--port={port}",
         f"--socket={folder}/sock", "--bind-address=127.0.0.1", f"--pid-file={folder}/pid",
         f"--ssl-cert={folder}/server.pem", f"--ssl-key={folder}/server.key", f"--ssl-ca={folder}/server-ca.pem",
         "--require-secure-transport=ON"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):  # up to 30 s for the server to accept connections
            try:
                pymysql.connect(unix_socket=f"{folder}/sock", user="root").close()
                break
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        conn = pymysql.connect(unix_socket=f"{folder}/sock", user="root", autocommit=True)
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE od CHARACTER SET utf8mb3")
            cur.execute("USE od")
            cur.execute("CREATE TABLE od.visit (VisitNum bigint PRIMARY KEY, Note varchar(40)) ENGINE=MyISAM")
            cur.execute("INSERT INTO od.visit SELECT seq, CONCAT('visit ', seq) FROM seq_1_to_2500")
        conn.close()
        yield port, folder
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def tls_url(port: int, ca: Path, **options: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"ssl_ca": str(ca), **options}.items())
    return f"mysql+pymysql://root:@127.0.0.1:{port}/od?{query}"


def test_a_run_over_tls_reads_every_row_encrypted(
    tls_server: tuple[int, Path], pg_database: str, pipelines_dir: Path
) -> None:
    port, folder = tls_server
    url = tls_url(port, folder / "server-ca.pem")
    # Small chunks: the bulk reads go through connectorx, and the server refuses any plaintext connection.
    settings = SyncSettings(credentials=url, dataset="opendental_raw", chunk_size=500, require_tls=True)
    settings.retry_tries = 1
    sync = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
    summary = sync.run("all", ["visit"])
    assert summary.ok, [r.error for r in summary.results]
    assert summary.results[0].rows_extracted == 2500
    assert summary.results[0].fallback_batches == 0  # every batch came through connectorx, over TLS
    assert sync.source.tls.connectorx_query() == {
        "ssl-mode": "VERIFY_IDENTITY",
        "ssl-ca": str(folder / "server-ca.pem"),
    }


def test_an_account_that_requires_a_client_certificate_is_read_with_it(
    tls_server: tuple[int, Path], pg_database: str, pipelines_dir: Path
) -> None:
    """`REQUIRE X509`: every read, the bulk reads too, presents the client certificate from the URL."""
    port, folder = tls_server
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
            "-subj", "/CN=od_reader", cwd=folder)  # fmt: skip
    openssl("x509", "-req", "-in", "client.csr", "-CA", "server-ca.pem", "-CAkey", "server-ca.key",
            "-CAcreateserial", "-out", "client.pem", "-days", "2", cwd=folder)  # fmt: skip
    conn = pymysql.connect(unix_socket=f"{folder}/sock", user="root", autocommit=True)
    with conn.cursor() as cur:
        cur.execute("SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user WHERE User = ''")
        for (anonymous,) in cur.fetchall():  # mariadb-install-db's anonymous accounts would match first
            cur.execute(f"DROP USER {anonymous}")
        cur.execute("CREATE USER IF NOT EXISTS 'od_x509'@'%' REQUIRE X509")
        cur.execute("GRANT SELECT ON od.* TO 'od_x509'@'%'")
    conn.close()
    ca = folder / "server-ca.pem"
    without = f"mysql+pymysql://od_x509:@127.0.0.1:{port}/od?ssl_ca={ca}"
    with pytest.raises(pymysql.err.OperationalError, match="1045"):  # no certificate: refused
        pymysql.connect(host="127.0.0.1", port=port, user="od_x509", ssl={"ca": str(ca)}).close()
    url = f"{without}&ssl_cert={folder / 'client.pem'}&ssl_key={folder / 'client.key'}"
    settings = SyncSettings(credentials=url, dataset="opendental_raw", chunk_size=500, require_tls=True)
    settings.retry_tries = 1
    sync = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
    summary = sync.run("all", ["visit"])
    assert summary.ok, [r.error for r in summary.results]
    [result] = summary.results
    assert result.rows_extracted == 2500 and result.reconciliation is not None and result.reconciliation.matches


def test_require_tls_refuses_a_plaintext_server(mysql_database: str, pg_database: str, pipelines_dir: Path) -> None:
    settings = SyncSettings(credentials=mysql_url(mysql_database), dataset="opendental_raw", require_tls=True)
    settings.retry_first_delay_s = 3600  # a retry would wait an hour: the refusal must come at once
    sync = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
    with pytest.raises(SourceUnreachable, match="not encrypted and sources.opendental.require_tls is set") as e:
        sync.run()
    assert e.value.permanent


def test_an_untrusted_certificate_fails_at_once_without_retry(tls_server: tuple[int, Path]) -> None:
    port, folder = tls_server
    db = SourceDatabase(tls_url(port, folder / "other-ca.pem"), RetryPolicy(3, 3600.0), require_tls=True)
    with pytest.raises(SourceUnreachable) as e:
        db.tables()
    assert e.value.permanent and "certificate" in str(e.value).lower()
    # connectorx alone (the bulk reads): the same settings, refused and not retried, but only after its connection
    # pool's 30 s wait (r2d2's default; connectorx has no setting for it). A run never waits so: its first query is
    # PyMySQL's, above.
    with pytest.raises(SourceUnreachable, match="a retry cannot fix this"):
        db.read_arrow("SELECT VisitNum FROM visit WHERE VisitNum < 10")
    assert sum(db.retries.values()) == 0


def test_destination_without_sslmode_is_refused_with_require_tls() -> None:
    destination = DestinationSettings(credentials="postgresql://loader:secret@db:5432/analytics")
    with pytest.raises(ValueError, match="sslmode=None") as e:
        destination.check(require_tls=True)
    assert "secret" not in str(e.value)
    DestinationSettings(credentials="postgresql://loader@db:5432/analytics?sslmode=verify-full").check(True)


def test_tls_without_hostname_check_verifies_the_ca(
    tls_server: tuple[int, Path], pg_database: str, pipelines_dir: Path
) -> None:
    port, folder = tls_server
    url = tls_url(port, folder / "server-ca.pem", ssl_check_hostname="false")
    settings = SyncSettings(credentials=url, dataset="opendental_raw", chunk_size=500, require_tls=True)
    sync = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
    assert sync.run("all", ["visit"]).ok
    assert sync.source.tls.connectorx_query()["ssl-mode"] == "VERIFY_CA"


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else name


@pytest.fixture(scope="module")
def tls_postgres() -> Iterator[tuple[int, Path]]:
    """A throwaway PostgreSQL cluster that accepts only TLS connections over TCP; yields its port and folder."""
    if os.geteuid() != 0 or shutil.which("runuser") is None or not Path(pg_bin("initdb")).exists():
        pytest.skip("needs root, runuser and PostgreSQL's initdb to start a cluster as user postgres")
    # Outside pytest's temporary folders, which only root may enter: the server runs as user postgres.
    folder = Path(tempfile.mkdtemp(prefix="od-tls-postgres-"))
    make_certificates(folder, "server")
    shutil.chown(folder, "postgres")
    for name in ("server.pem", "server.key", "server-ca.pem"):
        shutil.chown(folder / name, "postgres")
    (folder / "server.key").chmod(0o600)
    folder.chmod(0o755)
    data = folder / "data"
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_postgres, pg_bin("initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"],
                   check=True, capture_output=True)  # fmt: skip
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n"
    )
    port = free_port()
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c ssl=on "
               f"-c ssl_cert_file={folder}/server.pem -c ssl_key_file={folder}/server.key")  # fmt: skip
    subprocess.run([*as_postgres, pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(folder / "log"),
                    "start"], check=True, capture_output=True)  # fmt: skip
    try:
        subprocess.run([*as_postgres, pg_bin("createdb"), "-h", str(folder), "-p", str(port), "analytics"],
                       check=True, capture_output=True)  # fmt: skip
        yield port, folder
    finally:
        subprocess.run([*as_postgres, pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def test_the_copy_is_written_over_tls_with_sslmode(
    tls_postgres: tuple[int, Path], mysql_database: str, pipelines_dir: Path
) -> None:
    port, folder = tls_postgres
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE visit (VisitNum bigint PRIMARY KEY, Note varchar(40)) ENGINE=MyISAM")
        cur.execute("INSERT INTO visit SELECT seq, CONCAT('visit ', seq) FROM seq_1_to_300")
    base = f"postgresql://postgres@127.0.0.1:{port}/analytics"
    plaintext = DestinationSettings(credentials=f"{base}?sslmode=disable")
    settings = SyncSettings(credentials=mysql_url(mysql_database), dataset="opendental_raw", retry_tries=1)
    with pytest.raises(Exception, match="no encryption|SSL off|rejects connection"):
        Synchronizer(settings, plaintext, pipelines_dir=pipelines_dir).run("all", ["visit"])
    # Every connection to the copy (psycopg2, ADBC, dlt's own) verifies the server against the CA.
    url = f"{base}?sslmode=verify-full&sslrootcert={folder}/server-ca.pem"
    destination = DestinationSettings(credentials=url)
    destination.check(require_tls=True)
    summary = Synchronizer(settings, destination, pipelines_dir=pipelines_dir).run("all", ["visit"])
    assert summary.ok, [r.error for r in summary.results]
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM opendental_raw.visit")
        assert cur.fetchone()[0] == 300
        cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert cur.fetchone()[0] is True
