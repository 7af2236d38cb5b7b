"""A throwaway PostgreSQL server on loopback, for tests and benchmarks.

It uses the machine's own ``initdb``/``pg_ctl`` (on ``PATH`` or Debian's
``/usr/lib/postgresql/<version>/bin``), keeps its data in a temporary directory, listens on
127.0.0.1 on a free port with durability switched off (tests don't need fsync), and is removed
when stopped. ``initdb`` refuses to run as root, so as root the server runs as the ``postgres``
system user (Debian's package creates it).

Each test gets its own database, copied from a migrated template (``CREATE DATABASE ... TEMPLATE``
takes milliseconds; running the migrations each time would not).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

USER = "postgres"


class NoPostgres(RuntimeError):
    """The PostgreSQL server binaries are not on this machine."""


def binaries() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, if any."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """One running server; ``url(name)`` gives a SQLAlchemy URL for a database on it."""

    directory: Path
    port: int
    bindir: Path
    _names: count[int] = field(default_factory=lambda: count(1))

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = binaries()
        if bindir is None:
            raise NoPostgres(
                "PostgreSQL's server binaries (initdb, pg_ctl) are not installed; on Debian: "
                "apt-get install postgresql"
            )
        directory = Path(tempfile.mkdtemp(prefix="mentorbot-pg-"))
        directory.chmod(0o755)
        server = cls(directory=directory, port=_free_port(), bindir=bindir)
        if os.geteuid() == 0:
            record = pwd.getpwnam(USER)
            os.chown(directory, record.pw_uid, record.pw_gid)
        data = directory / "data"
        server._run(
            "initdb", "-D", str(data), "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8",
            "--locale=C",
        )  # fmt: skip
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(server.port),
            "unix_socket_directories": f"'{directory}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        server._pg_ctl_start()
        return server

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.directory)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, *, template: str | None = None) -> str:
        """A new, empty (or copied) database; returns its name."""
        from psycopg.errors import ObjectInUse

        name = f"t{os.getpid()}_{next(self._names)}"
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        for attempt in range(20):  # the template may still have a closing connection on it
            try:
                self.admin(f"CREATE DATABASE {name}{copy}")
                return name
            except ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.05)
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop")

    def restart_after(self, seconds: float) -> None:
        """Stop the server, wait, start it again on the same port (a database outage)."""
        data = str(self.directory / "data")
        self._run("pg_ctl", "-D", data, "-m", "fast", "stop")
        time.sleep(seconds)
        self._pg_ctl_start()

    def _pg_ctl_start(self) -> None:
        data = str(self.directory / "data")
        self._run("pg_ctl", "-D", data, "-l", str(self.directory / "log"), "-w", "start")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
