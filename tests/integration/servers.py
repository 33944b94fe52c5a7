"""Starts the real Rasa server and action server for integration tests.

Each test session gets its own var dir (SQLite files, keys), free ports and an
endpoints file pointing Rasa at its own action server, so a developer's running
bot is never touched.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.integration.fake_telegram import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "coping.tar.gz"


@dataclass
class BotServers:
    var_dir: Path
    env: dict[str, str]
    rasa_port: int
    actions_port: int
    token: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def send(self, sender: str, text: str, timeout: float = 60) -> list[dict[str, Any]]:
        reply = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=timeout,
        )
        reply.raise_for_status()
        return reply.json()

    def post_raw(self, content: bytes, content_type: str = "application/json") -> httpx.Response:
        return httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            content=content,
            headers={"content-type": content_type},
            timeout=60,
        )

    def tracker(self, sender: str) -> dict[str, Any]:
        reply = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()

    def api_post(self, path: str, payload: Any, **params: str) -> httpx.Response:
        return httpx.post(
            f"{self.rasa_url}{path}",
            params={"token": self.token, **params},
            json=payload,
            timeout=60,
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def log_tail(self, lines: int = 60) -> str:
        out = []
        for path in self.logs:
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)


def _wait_for(url: str, deadline: float, process: subprocess.Popen, check=None) -> None:
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited early ({process.returncode}) while waiting for {url}"
            )
        try:
            reply = httpx.get(url, timeout=2)
            if reply.status_code == 200 and (check is None or check(reply)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"timed out waiting for {url}")


def start_servers(
    var_dir: Path, extra_env: dict[str, str] | None = None, model: Path = MODEL
) -> BotServers:
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make train` first")
    var_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, actions_port = free_port(), free_port()
    token = secrets.token_urlsafe(16)
    endpoints = var_dir / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml")
        .read_text()
        .replace("http://localhost:5055/webhook", f"http://127.0.0.1:{actions_port}/webhook")
    )
    env = {
        **os.environ,
        "COPING_VAR_DIR": str(var_dir),
        "RASA_TOKEN": token,
        "COPING_RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **(extra_env or {}),
    }
    for name in ("COPING_DB_URL", "COPING_TRACKER_DB_URL"):
        if name not in (extra_env or {}):
            env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "bot", "init-db"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    servers = BotServers(var_dir, env, rasa_port, actions_port, token)
    actions_log, rasa_log = var_dir / "actions.log", var_dir / "rasa.log"
    servers.logs = [actions_log, rasa_log]
    servers.processes.append(
        subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
             "--port", str(actions_port)],
            cwd=ROOT, env=env, stdout=actions_log.open("w"), stderr=subprocess.STDOUT,
        )
    )  # fmt: skip
    servers.processes.append(
        subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--enable-api", f"--auth-token={token}",
             "--port", str(rasa_port), "--model", str(model),
             "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")],
            cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
        )
    )  # fmt: skip
    deadline = time.time() + 240
    try:
        _wait_for(f"http://127.0.0.1:{actions_port}/health", deadline, servers.processes[0])
        _wait_for(
            f"http://127.0.0.1:{rasa_port}/status?token={token}",
            deadline,
            servers.processes[1],
            check=lambda r: bool(r.json().get("model_file")),
        )
    except Exception:
        servers.stop()
        raise RuntimeError(servers.log_tail()) from None
    return servers
