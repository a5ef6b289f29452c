"""``intygscheck serve`` end to end: a real uvicorn on loopback, its logs free of personnummer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from intygscheck.service.log_redaction import REDACTED
from serve_support import SERVE, free_port, request, start_serve
from service_support import MADE_UP_PERSONAL_ID, SERVICE_RULES, fixture_xml, with_personal_id


def test_serve_answers_on_loopback_and_logs_no_personnummer(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = start_serve(
            port,
            ["--ruleset", str(SERVICE_RULES), "--log-level", "debug", "--max-body-bytes", "20000"],
            log,
            log_path,
        )
        try:
            status, body = request(port, "GET", "/health")
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
