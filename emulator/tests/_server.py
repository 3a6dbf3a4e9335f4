"""The moto_server with rewind_moto that an emulator test module starts for itself (stdlib + boto3 only).

Started the same way tests/Rewind.IntegrationTests/Emulator/MotoServer.cs starts it (python3 -c LAUNCHER BOOTSTRAP
PORT), on a free 127.0.0.1 port, and stopped by its PID at the end of the module.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import botocore.config

MODULE = Path(__file__).resolve().parent.parent / "rewind_moto.py"

# Exactly MotoServer.cs's PythonLauncher.
LAUNCHER = (
    "import runpy, sys\n"
    "boot, port = sys.argv[1], sys.argv[2]\n"
    "if boot:\n"
    "    runpy.run_path(boot)\n"
    "from moto.server import main\n"
    "main(['-H', '127.0.0.1', '-p', port])\n"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One moto_server process with the given REWIND_MOTO_* environment."""

    def __init__(self, env: dict[str, str], drop: tuple[str, ...] = ()) -> None:
        self._env = env
        self._drop = ("INITIAL_NO_AUTH_ACTION_COUNT", *drop)
        self._process: subprocess.Popen[bytes] | None = None
        # The server logs every request to stderr: into a file, never a pipe nobody reads (a full pipe blocks the
        # request thread that writes its log line, and the client times out).
        self._log = tempfile.TemporaryFile()
        self.endpoint = ""

    def start(self) -> None:
        port = free_port()
        env = dict(os.environ)
        env.update({**self._env, "MOTO_PORT": str(port), "PYTHONUNBUFFERED": "1"})
        for name in self._drop:
            env.pop(name, None)
        self._process = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(MODULE), str(port)], env=env,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log)
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if self._process.poll() is not None:
                self._log.seek(0)
                raise RuntimeError(f"moto exited early: {self._log.read().decode(errors='replace')}")
            try:
                if self.http("GET", "/rewind-api/info")[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("moto with rewind_moto did not answer within 30 s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()  # by PID, this process only
            self._process.wait(timeout=10)
        self._log.close()

    def http(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """A /rewind-api call: bytes are sent as they are, anything else but None as JSON."""
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint + path, data=data, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                            aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                            config=botocore.config.Config(retries={"max_attempts": 1}, proxies={}))
