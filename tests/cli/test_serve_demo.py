"""`shequn serve --demo` (what `make run` starts), as a real process on loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_demo_server_serves_a_simulated_community(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SHEQUN_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    env.pop("SHEQUN_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "shequn", "serve", "--demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    try:
        key = None
        deadline = time.monotonic() + 120
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if match := re.search(r"(shq_[A-Za-z0-9_-]+)", line):
                key = match.group(1)
            if "serving at" in line:
                break
        assert key, "".join(output)
        assert f"http://127.0.0.1:{port}" in "".join(output)

        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {key}"}
        groups = httpx.get(f"{base}/api/v1/groups", headers=headers).json()
        members = httpx.get(f"{base}/api/v1/members", headers=headers).json()
        messages = httpx.get(f"{base}/api/v1/events", params={"kind": "message"},
                             headers=headers).json()
        assert len(groups) >= 5
        assert sum(group["members"] for group in groups) > 100
        assert members["total"] >= 300
        assert messages["total"] > 1000
        assert (tmp_path / "demo.db").is_file()
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
