"""``intygscheck check``: formats, languages, --fail-on, --explain, directories and exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from cli_support import run
from intygscheck.model import ActivityLimitation, Grade, SickLeavePeriod
from rules_support import REPO, TEST_RULESETS, certificate

BASIC = str(TEST_RULESETS / "basic.rules")
PART_TIME = (SickLeavePeriod(grade=Grade.HALFTEN, start=date(2024, 3, 1), end=date(2024, 3, 14)),)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Three native JSON certificates: generic text (warning), part-time (error), clean."""
    made = {
        "generic": certificate(id="g", activity_limitation=ActivityLimitation(text="Orkar inte.")),
        "parttime": certificate(id="p", periods=PART_TIME),
        "clean": certificate(id="c"),
    }
    paths = {}
    for name, cert in made.items():
        path = tmp_path / "intyg" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(cert.model_dump_json(), encoding="utf-8")
        paths[name] = path
    return paths


def test_json_format_prints_one_object_per_certificate(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        ["check", str(files["generic"]), str(files["clean"]), "-r", BASIC, "--format", "json"], capsys
    )
    assert code == 0  # a warning does not reach the default --fail-on error
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["certificate_id"] for line in lines] == ["g", "c"]
    first = lines[0]
    assert first["source"] == str(files["generic"])
    assert first["rulesets"] == [{"name": "basic", "version": "1.2.0"}]
    (finding,) = first["findings"]
    assert set(finding) == {"rule", "severity", "category", "questions", "message", "evidence", "location"}
    assert finding["message"] == "Allmänt hållen beskrivning, 2 ord."
    assert finding["location"] == {"path": "activity_limitation.text", "span": [0, 10]}
    assert lines[1]["findings"] == []


def test_lang_en_gives_english_messages(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = run(["check", str(files["generic"]), "-r", BASIC, "--format", "json", "--lang", "en"], capsys)
    assert json.loads(out)["findings"][0]["message"] == "Generic description, 2 words."


@pytest.mark.parametrize(
    ("fail_on", "name", "expected"),
    [
        ("error", "generic", 0),
        ("warning", "generic", 1),
        ("info", "clean", 0),
        ("error", "parttime", 1),
    ],
)
def test_exit_code_follows_fail_on(files, capsys, fail_on: str, name: str, expected: int) -> None:  # type: ignore[no-untyped-def]
    code, _, _ = run(["check", str(files[name]), "-r", BASIC, "--fail-on", fail_on], capsys)
    assert code == expected


def test_directory_is_expanded_recursively(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(["check", str(files["clean"].parent), "-r", BASIC, "--format", "json"], capsys)
    assert code == 1
    assert sorted(json.loads(line)["certificate_id"] for line in out.splitlines()) == ["c", "g", "p"]


def test_bad_file_is_one_line_and_the_rest_is_still_checked(files, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "trasig.json"
    broken.write_text("{not json", encoding="utf-8")
    code, out, err = run(["check", str(broken), str(files["clean"]), "-r", BASIC, "--format", "json"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "trasig.json" in err
    assert json.loads(out)["certificate_id"] == "c"


def test_ruleset_error_is_shown_compiler_style_with_exit_2(files, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(REPO)
    code, out, err = run(
        ["check", str(files["clean"]), "-r", "tests/rulesets/errors/unknown_field.rules"], capsys
    )
    assert code == 2 and out == ""
    snapshot = (REPO / "tests" / "snapshots" / "rules_errors" / "unknown_field.txt").read_text(
        encoding="utf-8"
    )
    assert err == snapshot


def test_fhir_format_is_an_operation_outcome(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    code, out, _ = run(["check", str(files["parttime"]), "-r", BASIC, "--format", "fhir"], capsys)
    assert code == 1
    outcome = OperationOutcome.model_validate_json(out)
    (issue,) = outcome.issue
    assert issue.severity == "error" and issue.code == "invariant"
    assert issue.details.text == "Deltid men fråga 33 är obesvarad."
    assert issue.expression == ["QuestionnaireResponse.item.where(linkId='33')"]


def test_fhir_without_findings_has_one_informational_issue(files, capsys) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = run(["check", str(files["clean"]), "-r", BASIC, "--format", "fhir"], capsys)
    issues = json.loads(out)["issue"]
    assert issues == [{"severity": "information", "code": "informational", "details": {"text": "Inga fynd."}}]


def test_text_format_lists_findings_with_question_ids(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = run(["check", str(files["generic"]), "-r", BASIC], capsys)
    assert "VARNING  [17] T-17-GENERISK: Allmänt hållen beskrivning, 2 ord." in out
    assert '@ activity_limitation.text[0:10] "Orkar inte"' in out
    _, out_en, _ = run(["check", str(files["generic"]), "-r", BASIC, "--lang", "en"], capsys)
    assert "WARNING  [17] T-17-GENERISK: Generic description, 2 words." in out_en


def test_explain_prints_each_sub_expression_with_its_value(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = run(["check", str(files["parttime"]), "-r", BASIC, "--explain", "T-33-DELTID"], capsys)
    assert "regel T-33-DELTID" in out and "slår till" in out
    assert "  deltid  →  true" in out
    assert "p.grade  →  50" in out
    assert "working_time.requested  →  null" in out


def test_explain_of_unknown_rule_is_a_usage_error(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(["check", str(files["clean"]), "-r", BASIC, "--explain", "T-33-DELTI"], capsys)
    assert code == 2 and "did you mean 'T-33-DELTID'" in err


def test_several_files_form_one_sjukfall_whatever_their_order(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "fall.rules"
    rules.write_text(
        'ruleset "fall"\nrule "F-1" { severity info category fmb questions ["32"] when case.total_days > 0\n'
        '  message sv "{case.total_days}" message en "{case.total_days}" }\n',
        encoding="utf-8",
    )
    early = certificate(
        id="a",
        periods=(SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=date(2024, 2, 1), end=date(2024, 2, 29)),),
    )
    late = certificate(id="b")
    paths = []
    for cert in (late, early):
        path = tmp_path / f"{cert.id}.json"
        path.write_text(cert.model_dump_json(), encoding="utf-8")
        paths.append(str(path))
    outputs = []
    for order in (paths, list(reversed(paths))):
        _, out, _ = run(["check", *order, "-r", str(rules), "--format", "json"], capsys)
        results = [json.loads(line) for line in out.splitlines()]
        outputs.append({r["certificate_id"]: r["findings"][0]["message"] for r in results})
    assert outputs[0] == outputs[1] == {"a": "29", "b": "43"}


def test_explain_with_json_keeps_stdout_one_object_per_line(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    _, out, err = run(
        ["check", str(files["parttime"]), "-r", BASIC, "--format", "json", "--explain", "T-33-DELTID"], capsys
    )
    assert json.loads(out)["certificate_id"] == "p"
    assert "regel T-33-DELTID" in err
