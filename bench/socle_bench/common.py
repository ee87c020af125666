"""Paths, constants and small helpers shared by the benchmark modules."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
VENVS = BENCH / ".venvs"
WORK = BENCH / "results" / "work"
DOCS = REPO / "docs" / "benchmarks"
MAIN_PYTHON = REPO / ".venv" / "bin" / "python"

SERVICE_URL = "https://app.example.org/bench/"
BENCH_LOGIN = "bench.user"
BENCH_PASSWORD = "bench-password-2026!"
SECRET_KEY = "bench-only-secret-key-" + "q7Zr2LpX9vK4mT8wN1cY6bH3sJ5dF0gA"
# Argon2id parameters given to every server, so that logins compare the servers, not the hashes.
ARGON2 = {"memory_cost": 19456, "time_cost": 2, "parallelism": 1}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs a command, failing loudly with its output."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} → {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                response.read()
                return
        except urllib.error.HTTPError:
            return  # the server answers: good enough
        except OSError as exc:
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"{url} ne répond pas : {last}")


def env_without_socle() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SOCLE_", "DJANGO_"))}


# A SAML 1.1 validation request (§4.2) around one ticket, for the in-process measures.
SAML = (
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
    '<samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" '
    'MinorVersion="1" RequestID="_r1" IssueInstant="2026-09-07T08:00:00Z">'
    "<samlp:AssertionArtifact>{ticket}</samlp:AssertionArtifact></samlp:Request>"
    "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
)
