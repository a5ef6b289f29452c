"""The fmb ruleset: sick leave over FMB's recommended maximum, over the whole sjukfall."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import intygscheck
from intygscheck.cli import app
from intygscheck.cli import check_cmd as _check_cmd  # noqa: F401  (registers the check command)
from intygscheck.cli import fmb_cmd as _fmb_cmd  # noqa: F401  (a second command: `check` is a subcommand)
from intygscheck.engine import CheckContext, Finding
from intygscheck.model import (
    Certificate,
    Diagnosis,
    Grade,
    Issuer,
    Occupation,
    Patient,
    SickLeavePeriod,
)
from intygscheck.rules.examples import run_examples

REPO = Path(__file__).resolve().parents[1]
XML = REPO / "fixtures" / "certificates" / "xml"
EXCEEDED = "fmb-overskriden"


def certificate(
    cert_id: str,
    start: date,
    days: int,
    *,
    code: str = "M545",
    text: str = "Lumbago",
    grade: Grade = Grade.HELT_NEDSATT,
    unit: str = "SE-ENHET-A",
    motivation: str | None = None,
) -> Certificate:
    """A made-up certificate of one patient: one period of ``days`` days from ``start``."""
    return Certificate(
        id=cert_id,
        signed_at=datetime.combine(start, datetime.min.time()),
        patient=Patient(key="fmb-testpatient"),
        issuer=Issuer(unit_id=unit, care_provider_id="SE-VG-1"),
        occupations=(Occupation.NUVARANDE_ARBETE,),
        work_tasks="Undersköterska på vårdavdelning med tunga lyft.",
        diagnoses=(Diagnosis(code=code, code_system="1.2.752.116.1.1.1", text=text),),
        periods=(SickLeavePeriod(grade=grade, start=start, end=start + timedelta(days=days - 1)),),
        fmb_motivation=motivation,
    )


def fmb_findings(
    cert: Certificate, others: tuple[Certificate, ...] = (), mode: str = "webcert"
) -> list[Finding]:
    result = intygscheck.check(cert, ["fmb"], CheckContext(others=others, fmb_mode=mode))
    return list(result.findings)


def exceedances(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if EXCEEDED in f.tags]


def lumbago_chain(unit_of_third: str = "SE-ENHET-A") -> tuple[Certificate, Certificate, Certificate]:
    """M54.5 7 + 7 + 7 days with 2-day gaps: the case is 7, 14, then 21 days."""
    first = certificate("rygg-1", date(2025, 3, 3), 7)
    second = certificate("rygg-2", date(2025, 3, 12), 7)
    third = certificate("rygg-3", date(2025, 3, 21), 7, unit=unit_of_third)
    return first, second, third


@pytest.mark.parametrize("mode", ["webcert", "default"])
def test_only_the_third_certificate_of_a_lumbago_case_exceeds_two_weeks(mode: str) -> None:
    first, second, third = lumbago_chain()
    everyone = (first, second, third)
    found = {
        c.id: exceedances(fmb_findings(c, tuple(o for o in everyone if o is not c), mode)) for c in everyone
    }
    assert found["rygg-1"] == [] and found["rygg-2"] == []
    (finding,) = found["rygg-3"]
    assert finding.rule == "FMB-32-OVERSKRIDEN-UTAN-MOTIVERING"
    assert finding.severity == "warning" and finding.questions == ("32", "37")
    message = finding.message("sv")
    assert "21 dagar" in message and "14 dagar (2 veckor)" in message and "M545" in message
    assert "hela sjukfallet: 3 intyg sedan 2025-03-03" in message
    assert "typfall" in message and str(finding.evidence["fmb.typfall_id"]) in message
    assert finding.evidence["case.total_days"] == 21 and finding.evidence["fmb.max_days"] == 14


def test_a_certificate_from_another_care_unit_does_not_chain() -> None:
    first, second, third = lumbago_chain(unit_of_third="SE-ENHET-B")
    assert exceedances(fmb_findings(third, (first, second))) == []


def test_a_single_certificate_over_the_maximum_says_it_is_this_certificate_only() -> None:
    (finding,) = exceedances(fmb_findings(certificate("rygg-ensam", date(2025, 3, 3), 21)))
    assert "(detta intyg)" in finding.message("sv") and "(this certificate)" in finding.message("en")


def test_myocardial_infarction_four_plus_four_weeks_at_half_time_is_flagged_on_the_second() -> None:
    first = certificate("hjarta-1", date(2025, 1, 6), 28, code="I214", text="Hjärtinfarkt")
    second = certificate(
        "hjarta-2", date(2025, 2, 3), 28, code="I214", text="Hjärtinfarkt", grade=Grade.HALFTEN
    )
    assert exceedances(fmb_findings(first, (second,))) == []
    (finding,) = exceedances(fmb_findings(second, (first,)))
    assert finding.evidence["case.total_days"] == 56 and finding.evidence["fmb.max_days"] == 28
    assert "56 dagar" in finding.message("sv") and "28 dagar (4 veckor)" in finding.message("sv")
    assert "28 days (4 weeks)" in finding.message("en")


@pytest.mark.parametrize(
    "motivation",
    [None, "Se ovan.", "Enl. FMB.", "-", "Överskrider inte FMB.", "Behöver mer tid.", "Se ovan, enligt FMB."],
)
def test_an_empty_or_boilerplate_motivation_gives_a_warning_naming_37(motivation: str | None) -> None:
    (finding,) = exceedances(
        fmb_findings(certificate("rygg-floskel", date(2025, 3, 3), 21, motivation=motivation))
    )
    assert finding.severity == "warning" and "37" in finding.questions


def test_a_real_motivation_gives_an_info_that_still_counts_as_an_exceedance() -> None:
    motivation = "Tungt fysiskt arbete med dagliga förflyttningar av patienter, kan inte omplaceras."
    (finding,) = exceedances(
        fmb_findings(certificate("rygg-motiv", date(2025, 3, 3), 21, motivation=motivation))
    )
    assert finding.rule == "FMB-32-OVERSKRIDEN-MOTIVERAD"
    assert finding.severity == "info" and finding.questions == ("32",)


def test_a_diagnosis_without_fmb_data_gives_an_info_naming_question_6() -> None:
    findings = fmb_findings(certificate("rygg-m543", date(2025, 3, 3), 21, code="M543", text="Sakroiliit"))
    assert exceedances(findings) == []
    (finding,) = findings
    assert finding.rule == "FMB-6-INGET-BESLUTSSTOD" and finding.severity == "info"
    assert finding.questions == ("6",) and "M543" in finding.message("sv")


def test_every_fmb_rule_has_passing_examples_and_full_rule_coverage() -> None:
    report = run_examples("fmb")
    assert report.failures == ()
    assert report.rule_coverage == 1.0 and report.never_fired == ()


def _cli_findings(paths: list[Path]) -> dict[str, list[str]]:
    """File name → the FMB rule ids `intygscheck check --format json` reports for it."""
    import json

    result = CliRunner().invoke(app, ["check", "--format", "json", "-r", "fmb", *map(str, paths)])
    assert result.exit_code == 0, result.output
    found: dict[str, list[str]] = {}
    for line in result.output.splitlines():
        record = json.loads(line)
        found[Path(record["source"]).name] = sorted(f["rule"] for f in record["findings"])
    return found


def test_cli_builds_the_sjukfall_from_the_files_whatever_their_order() -> None:
    files = sorted(XML.glob("ryggvark-*.xml"))
    forward = _cli_findings(files)
    assert forward == _cli_findings(list(reversed(files)))
    assert forward["ryggvark-1.xml"] == []
    assert forward["ryggvark-2.xml"] == ["FMB-32-OVERSKRIDEN-UTAN-MOTIVERING"]
    assert forward["ryggvark-3.xml"] == ["FMB-32-OVERSKRIDEN-MOTIVERAD"]
    alone = _cli_findings([XML / "ryggvark-2.xml"])
    assert alone["ryggvark-2.xml"] == []


def test_the_committed_rule_catalogue_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    from intygscheck.report.rules_doc import render_catalogue

    monkeypatch.chdir(REPO)  # the catalogue shows the ruleset's path relative to the working folder

    committed = (REPO / "docs" / "rules-fmb.md").read_text(encoding="utf-8")
    assert render_catalogue([intygscheck.load_ruleset("fmb")], "sv") == committed, (
        "run: intygscheck rules doc fmb --out docs/rules-fmb.md"
    )
