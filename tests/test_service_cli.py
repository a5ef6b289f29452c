"""``intygscheck serve`` end to end: a real uvicorn on loopback, its logs free of personnummer."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from intygscheck.service.log_redaction import REDACTED
from service_support import MADE_UP_PERSONAL_ID, SERVICE_RULES, fixture_xml, with_personal_id

SERVE = [sys.executable, "-c", "from intygscheck.cli import main; main()", "serve"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def request(
    port: int, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serve_answers_on_loopback_and_logs_no_personnummer(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                *SERVE,
                "--port",
                str(port),
                "--ruleset",
                str(SERVICE_RULES),
                "--log-level",
                "debug",
                "--max-body-bytes",
                "20000",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    status, body = request(port, "GET", "/health")
                    break
                except OSError:
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.2)
            assert json.loads(body)["rulesets"] == ["servicetest 2.1.0"]
            xml = with_personal_id(fixture_xml("ryggvark-1"), MADE_UP_PERSONAL_ID)
            status, body = request(
                port,
                "POST",
                f"/check?patient={MADE_UP_PERSONAL_ID}",
                xml,
                **{"content-type": "application/xml"},
            )
            assert status == 200
            assert json.loads(body)["rulesets"] == [{"name": "servicetest", "version": "2.1.0"}]
            status, body = request(port, "POST", "/check", xml * 5, **{"content-type": "application/xml"})
            assert status == 413 and json.loads(body)["error"]["code"] == "payload_too_large"
            broken = xml.replace(b"</ns2:intyg>", MADE_UP_PERSONAL_ID.encode())
            status, _ = request(port, "POST", "/check", broken, **{"content-type": "text/xml"})
            assert status == 400
        finally:
            server.terminate()
            server.wait(timeout=15)
    logged = log_path.read_text(encoding="utf-8")
    assert f"/check?patient={REDACTED}" in logged  # the access log line is there, redacted
    assert MADE_UP_PERSONAL_ID not in logged
    assert MADE_UP_PERSONAL_ID[2:] not in logged


def test_serve_refuses_to_start_with_a_broken_ruleset(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text('ruleset "broken" version "1"\nrule "X" { when }\n', encoding="utf-8")
    done = subprocess.run(
        [*SERVE, "--port", str(free_port()), "--ruleset", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "broken.rules" in done.stderr
    assert "Traceback" not in done.stderr
