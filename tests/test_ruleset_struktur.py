"""The fk7804-struktur ruleset against Inera's own LISJP v1 test certificates, file by file.

Every ``scenarios__fail-*.xml`` must give an error on the FK question its name describes (by
the rule written for that defect), or be rejected by the reader where that is justified; every
``scenarios__pass-*.xml`` must give no error (warnings are allowed: Inera's test patient has a
wrong check digit and its basis dates lie after the signing time). The per-file analysis is in
the notes (struktur-analysis.md); the table below is its executable form.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from intygscheck.engine import Finding, check
from intygscheck.errors import InputError
from intygscheck.ingest import read
from intygscheck.model import (
    Basis,
    BasisKind,
    Certificate,
    Diagnosis,
    Grade,
    Patient,
    PrognosisCode,
    SickLeavePeriod,
    make_personal_id,
    parse_personal_id,
)
from intygscheck.rules import Ruleset, Severity, load_ruleset
from intygscheck.rules.examples import run_examples

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
V1 = SHARED / "external" / "inera-fk7804" / "v1-transport"

ERROR_EXPECTED: dict[str, tuple[str, str]] = {
    # file name: (FK question id that must be named, rule id written for the defect)
    "scenarios__fail-aktivitetsbegransningSaknas.xml": ("17", "S-17-SAKNAS"),
    "scenarios__fail-aktivitetsbegransningWhitespaces.xml": ("17", "S-17-SAKNAS"),
    "scenarios__fail-anledningKontaktWhitespaces.xml": ("26", "S-26-ANLEDNING-SAKNAS"),
    "scenarios__fail-arbetslivsinriktadeAtgarderFelKombinationerDelsvar.xml": (
        "40",
        "S-40-EJ-AKTUELLT-KOMBINERAT",
    ),
    "scenarios__fail-arbetslivsinriktadeAtgarderSaknas.xml": ("40", "S-40-SAKNAS"),
    "scenarios__fail-arbetstidsforlaggningMotiveringBordeInteFinnas.xml": ("33", "S-33-MOTIVERING-UTAN-JA"),
    "scenarios__fail-arbetstidsforlaggningMotiveringSaknas.xml": ("33", "S-33-MOTIVERING-SAKNAS"),
    "scenarios__fail-arbetstidsforlaggningMotiveringWhitespaces.xml": ("33", "S-33-MOTIVERING-SAKNAS"),
    "scenarios__fail-diagnosPsykiskDiagnoskodFelAntalTecken.xml": ("6", "S-6-PSYKISK-KOD-FOR-KORT"),
    "scenarios__fail-diagnosSaknas.xml": ("6", "S-6-SAKNAS"),
    "scenarios__fail-diagnoserMedOlikaKodsystem.xml": ("6", "S-6-OLIKA-KODSYSTEM"),
    "scenarios__fail-diagnoskodMedMindreAnTrePositioner.xml": ("6", "S-6-KOD-LANGD"),
    "scenarios__fail-diagnoskodMerAnFemTecken.xml": ("6", "S-6-KOD-LANGD"),
    "scenarios__fail-fmbWhitespaces.xml": ("37", "S-37-BLANKSTEG"),
    "scenarios__fail-forMangaSysselsattningar.xml": ("28", "S-28-FOR-MANGA"),
    "scenarios__fail-funktionsnedsattningSaknas.xml": ("35", "S-35-SAKNAS"),
    "scenarios__fail-funktionsnedsattningWhitespaces.xml": ("35", "S-35-SAKNAS"),
    "scenarios__fail-grundForMUBeskrivningBordeInteFinnas.xml": ("1", "S-1-BESKRIVNING-UTAN-ANNAT"),
    "scenarios__fail-grundForMUBeskrivningBordeInteFinnasWhitespaces.xml": (
        "1",
        "S-1-BESKRIVNING-UTAN-ANNAT",
    ),
    "scenarios__fail-grundForMUBeskrivningSaknas.xml": ("1", "S-1-ANNAT-BESKRIVNING-SAKNAS"),
    "scenarios__fail-grundForMUSaknas.xml": ("1", "S-1-SAKNAS"),
    "scenarios__fail-ovrigtWhitespaces.xml": ("25", "S-25-BLANKSTEG"),
    "scenarios__fail-pagaendeBehandlingWhitespaces.xml": ("19", "S-19-BLANKSTEG"),
    "scenarios__fail-planeradBehandlingWhitespaces.xml": ("20", "S-20-BLANKSTEG"),
    "scenarios__fail-prognosDagarTillArbeteSaknas.xml": ("39", "S-39-DAGAR-SAKNAS"),
    "scenarios__fail-prognosSaknas.xml": ("39", "S-39-SAKNAS"),
    "scenarios__fail-prognosSaknas2.xml": ("39", "S-39-SAKNAS"),
    "scenarios__fail-sjukskrivning25Till75ProcentArbetstidsforlaggningSaknas.xml": ("33", "S-33-SAKNAS"),
    "scenarios__fail-sjukskrivningSaknas.xml": ("32", "S-32-SAKNAS"),
    "scenarios__fail-sysselsattningNuvarandeArbeteBeskrivningSaknas.xml": ("29", "S-29-SAKNAS"),
    "scenarios__fail-sysselsattningNuvarandeArbeteBordeInteFinnas.xml": ("29", "S-29-UTAN-NUVARANDE-ARBETE"),
    "scenarios__fail-sysselsattningNuvarandeArbeteWhitespaces.xml": ("29", "S-29-SAKNAS"),
    "scenarios__fail-sysselsattningSaknas.xml": ("28", "S-28-SAKNAS"),
    "scenarios__fail-sysselsattningArbetsmarknadsProgramBordeInteFinnas.xml": ("28", "S-28-UTGANGEN-FRAGA"),
    # Inera files outside the scenarios__pass/fail naming
    "scenarios__sjukskrivningOverlappandePerioder.xml": ("32", "S-32-OVERLAPP"),
    "failingSjukskrivningHeltNedsattOchOmArbetstidsforlaggning.xml": ("33", "S-33-UTAN-DELTID"),
    "prognosMedDelfraga39-2.xml": ("39", "S-39-GRUND-I-V1"),
}
"""Files that must give an error finding naming the question, from the rule for the defect."""

REJECTED_BY_READER: dict[str, str] = {
    # Justified: neither can be represented in the model, and Inera rejects both.
    "diagnosMaxTreDiagnoser.xml": "28.1",  # occupation code '1' is not in KV_FKMU_0002
    "lisjp_broken.xml": "32.2",  # the third period has no dates
}
"""Files the reader rejects with an InputError, and the delsvar the error must name."""

NO_ERROR_EXPECTED: tuple[str, ...] = (
    *sorted(path.name for path in V1.glob("scenarios__pass-*.xml")),
    "fleraSjukskrivningOchOmArbetstidsforlaggning.xml",  # 100 % and 50 %, with 33: valid
    "lisjp.xml",  # telephone + ANNAT with text, 75/50/25 %, two measures: valid
)
"""Files that must give no error-severity finding (warnings allowed)."""


@pytest.fixture(scope="module")
def struktur() -> Ruleset:
    return load_ruleset("fk7804-struktur")


def _errors(name: str, ruleset: Ruleset) -> list[Finding]:
    result = check(read(V1 / name), [ruleset])
    return [f for f in result.findings if f.severity is Severity.ERROR]


def test_every_inera_v1_file_has_an_expected_outcome() -> None:
    names = {path.name for path in V1.glob("*.xml")}
    covered = set(ERROR_EXPECTED) | set(REJECTED_BY_READER) | set(NO_ERROR_EXPECTED)
    assert len(names) == 53
    assert names == covered
    fail_files = {name for name in names if name.startswith("scenarios__fail-")}
    assert fail_files <= set(ERROR_EXPECTED)


@pytest.mark.parametrize("name", sorted(ERROR_EXPECTED))
def test_inera_failing_file_gives_an_error_on_its_question(name: str, struktur: Ruleset) -> None:
    question, rule_id = ERROR_EXPECTED[name]
    errors = _errors(name, struktur)
    assert any(question in f.questions for f in errors), [(f.rule, f.questions) for f in errors]
    assert rule_id in {f.rule for f in errors}


@pytest.mark.parametrize("name", sorted(NO_ERROR_EXPECTED))
def test_inera_valid_file_gives_no_error(name: str, struktur: Ruleset) -> None:
    assert [(f.rule, f.questions) for f in _errors(name, struktur)] == []


@pytest.mark.parametrize("name", sorted(REJECTED_BY_READER))
def test_inera_unreadable_file_is_rejected_by_the_reader_naming_the_answer(name: str) -> None:
    with pytest.raises(InputError) as caught:
        read(V1 / name)
    assert REJECTED_BY_READER[name] in str(caught.value)


def test_inera_valid_files_only_warn_about_the_test_patient_and_basis_dates(struktur: Ruleset) -> None:
    result = check(read(V1 / "scenarios__pass-minimal.xml"), [struktur])
    assert {(f.rule, f.severity) for f in result.findings} == {
        ("S-PNR-KONTROLLSIFFRA", Severity.WARNING),
        ("S-1-DATUM-EFTER-SIGNERING", Severity.WARNING),
    }
    samordning = check(read(V1 / "scenarios__pass-samordning.xml"), [struktur])
    assert "S-PNR-KONTROLLSIFFRA" not in {f.rule for f in samordning.findings}


# --- behaviour beyond Inera's files ---------------------------------------------------------


def _valid(**changes: object) -> Certificate:
    """A made-up, structurally valid v1 certificate (valid check digit), with ``changes``."""
    patient = Patient.from_personal_id(parse_personal_id(make_personal_id(date(1984, 3, 9), 238)))
    base = read(V1 / "scenarios__pass-minimal.xml").model_copy(
        update={"patient": patient, "signed_at": datetime(2015, 12, 8, 9, 0)}
    )
    return base.model_copy(update=changes)


def _rules(certificate: Certificate, ruleset: Ruleset) -> set[str]:
    return {f.rule for f in check(certificate, [ruleset]).findings}


def test_a_clean_certificate_gives_no_finding_at_all(struktur: Ruleset) -> None:
    assert _rules(_valid(), struktur) == set()


def test_periods_sharing_one_day_overlap_and_adjacent_periods_do_not(struktur: Ruleset) -> None:
    def periods(second_start: date) -> tuple[SickLeavePeriod, ...]:
        return (
            SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=date(2015, 12, 7), end=date(2015, 12, 10)),
            SickLeavePeriod(grade=Grade.HALFTEN, start=second_start, end=date(2015, 12, 20)),
        )

    shared = check(_valid(periods=periods(date(2015, 12, 10))), [struktur]).findings
    (overlap,) = [f for f in shared if f.rule == "S-32-OVERLAPP"]
    assert overlap.questions == ("32",) and "1 dagar" in overlap.message("sv")
    assert "S-32-OVERLAPP" not in _rules(_valid(periods=periods(date(2015, 12, 11))), struktur)


def test_diagnosis_messages_name_the_offending_code(struktur: Ruleset) -> None:
    diagnoses = (
        Diagnosis(code="F999", code_system="1.2.752.116.1.1.1", text="Påhittad"),
        Diagnosis(code="F43.8A", code_system="1.2.752.116.1.1.1", text="Utmattningssyndrom"),
    )
    findings = {f.rule: f for f in check(_valid(diagnoses=diagnoses), [struktur]).findings}
    assert "F999" in findings["S-6-KOD-OKAND"].message("sv")
    assert "F43.8A" in findings["S-6-KOD-FORMAT"].message("en")
    assert "S-6-KOD-LANGD" not in findings  # F43.8A is five characters without its dot


def test_swedish_addition_and_ksh97p_codes_are_accepted(struktur: Ruleset) -> None:
    swedish = (Diagnosis(code="F438A", code_system="1.2.752.116.1.1.1", text="Utmattningssyndrom"),)
    ksh = (Diagnosis(code="A00-", code_system="1.2.752.116.1.3.1.4.1", text="Kolera"),)
    assert _rules(_valid(diagnoses=swedish), struktur) == set()
    assert _rules(_valid(diagnoses=ksh), struktur) == set()


def test_smittbararpenning_waives_the_mandatory_answers_but_not_diagnosis_or_period(
    struktur: Ruleset,
) -> None:
    empty = _valid(
        smittbararpenning=True,
        basis=(),
        occupations=(),
        work_tasks=None,
        functional_impairment=_valid().functional_impairment.model_copy(update={"text": None}),
        activity_limitation=_valid().activity_limitation.model_copy(update={"text": None}),
        working_time=_valid().working_time.model_copy(update={"requested": None, "motivation": None}),
        prognosis=_valid().prognosis.model_copy(update={"code": None}),
        measures=_valid().measures.model_copy(update={"codes": (), "text": None}),
    )
    assert _rules(empty, struktur) == set()
    assert _rules(empty.model_copy(update={"diagnoses": (), "periods": ()}), struktur) == {
        "S-6-SAKNAS",
        "S-32-SAKNAS",
    }
    not_smitta = _rules(empty.model_copy(update={"smittbararpenning": False}), struktur)
    assert {"S-1-SAKNAS", "S-28-SAKNAS", "S-35-SAKNAS", "S-17-SAKNAS", "S-33-SAKNAS"} <= not_smitta
    assert {"S-39-SAKNAS", "S-40-SAKNAS"} <= not_smitta


def test_version_2_allows_five_bases_and_needs_reasoning_for_an_unclear_prognosis(
    struktur: Ruleset,
) -> None:
    kinds = ("FYSISKUNDERSOKNING", "DIGITALUNDERSOKNING", "TELEFONKONTAKT", "JOURNALUPPGIFTER")
    bases = (
        *(Basis(kind=BasisKind(k), date=date(2015, 12, 7)) for k in kinds),
        Basis(kind=BasisKind.ANNAT, date=date(2015, 12, 7), text="Arbetsgivaren"),
    )
    unclear = _valid().prognosis.model_copy(update={"code": PrognosisCode.PROGNOS_OKLAR, "text": None})
    v2 = _valid(version="2", basis=bases, prognosis=unclear)
    fired = _rules(v2, struktur)
    assert "S-1-FOR-MANGA" not in fired and "S-1-KOD-VERSION" not in fired
    assert "S-39-GRUND-SAKNAS" in fired
    assert "S-1-FOR-MANGA" in _rules(v2.model_copy(update={"version": "1"}), struktur)


def test_every_rule_names_questions_and_has_both_kinds_of_example(struktur: Ruleset) -> None:
    for rule in struktur.rules:
        assert rule.category.value == "struktur", rule.id
        assert rule.questions or rule.id == "S-PNR-KONTROLLSIFFRA", rule.id
        assert {e.expect for e in rule.examples} == {"fires", "passes"}, rule.id
        assert rule.references, rule.id


def test_every_example_in_the_ruleset_holds_and_covers_every_rule_and_condition() -> None:
    report = run_examples("fk7804-struktur")
    assert [(f.rule_id, f.name, f.error) for f in report.failures] == []
    assert report.passed
    assert report.untested_rules == () and report.never_fired == ()
    assert report.rule_coverage == 1.0
    assert [(c.owner, c.text) for c in report.never_true] == []
