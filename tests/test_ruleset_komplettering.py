"""The komplettering ruleset: predicted completion requests, measured against the labeled corpus."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest

import intygscheck
from intygscheck.engine import CheckContext
from intygscheck.model import (
    ActivityLimitation,
    Basis,
    BasisKind,
    Certificate,
    Diagnosis,
    FunctionalImpairment,
    Grade,
    Issuer,
    Patient,
    Prognosis,
    PrognosisCode,
    SickLeavePeriod,
)
from intygscheck.rules.examples import run_examples
from rules_support import certificate

REPO = Path(__file__).resolve().parents[1]
TARGET_QUESTIONS = ("17", "35", "1", "39", "37")


def _quality() -> ModuleType:
    """benchmarks/komplettering_quality.py, imported by path (benchmarks is not a package)."""
    path = REPO / "benchmarks" / "komplettering_quality.py"
    spec = importlib.util.spec_from_file_location("komplettering_quality", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quality_table() -> dict[str, object]:
    return _quality().evaluate()


@pytest.mark.parametrize("question", TARGET_QUESTIONS)
def test_precision_and_recall_reach_the_target_on_the_labeled_corpus(
    question: str, quality_table: dict
) -> None:
    counts = quality_table[question]
    assert counts.precision is not None and counts.precision >= 0.85, (question, counts)
    assert counts.recall is not None and counts.recall >= 0.85, (question, counts)


def test_every_rule_has_examples_that_pass_and_coverage_is_complete() -> None:
    report = run_examples("komplettering")
    assert report.failures == ()
    assert report.rule_coverage == 1.0 and report.never_fired == ()


def test_rules_are_warnings_in_category_komplettering_naming_questions_and_sources() -> None:
    ruleset = intygscheck.load_ruleset("komplettering")
    assert len(ruleset.rules) >= 10
    for rule in ruleset.rules:
        assert rule.severity == "warning" and rule.category == "komplettering", rule.id
        assert rule.questions and rule.references, rule.id
    named = {q for rule in ruleset.rules for q in rule.questions}
    assert {"1", "17", "25", "29", "32", "35", "37", "39"} <= named


def test_word_lists_are_named_lexicons_in_the_ruleset_and_match_inflected_forms() -> None:
    lexicons = intygscheck.load_ruleset("komplettering").lexicons
    for name in ("undersokningsfynd", "psykiskt_status", "aktiviteter", "grad_frekvens", "generiska_fraser"):
        assert name in lexicons
    assert lexicons["undersokningsfynd"].search("Palperas över L5") is not None
    assert lexicons["undersokningsfynd"].search("Rörligheten nedsatt") is not None
    assert lexicons["aktiviteter"].search("Hon lyfter inte") is not None
    assert lexicons["aktiviteter"].search("Bär inget tungt") is not None
    assert lexicons["egen_berattelse"].search("Enligt patienten värre") is not None
    assert lexicons["aktiviteter"].search("sköter sitt hem") is None  # the pronoun is not "sitta"


def _certificate(**overrides: object) -> Certificate:
    """A good certificate in 2025 (a bus driver with lumbago); keyword arguments replace fields."""
    values: dict[str, object] = {
        "id": "k-test-1",
        "signed_at": datetime(2025, 3, 10, 10, 0),
        "patient": Patient(key="k-testpatient"),
        "issuer": Issuer(unit_id="SE-ENHET-A", care_provider_id="SE-VG-1"),
        "smittbararpenning": False,
        "basis": (Basis(kind=BasisKind.UNDERSOKNING, date=date(2025, 3, 10)),),
        "work_tasks": "Busschaufför i linjetrafik, körpass på åtta timmar.",
        "functional_impairment": FunctionalImpairment(
            text="Nedsatt rörlighet i ländryggen, flexion 30 grader, palpationsömhet L4–L5."
        ),
        "activity_limitation": ActivityLimitation(
            text="Kan inte sitta i förarstolen mer än 20 minuter, klarar inte att vrida bålen vid backning."
        ),
        "periods": (
            SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=date(2025, 3, 10), end=date(2025, 3, 20)),
        ),
    }
    return certificate(**(values | overrides))


def _rules(cert: Certificate, others: tuple[Certificate, ...] = ()) -> set[str]:
    result = intygscheck.check(cert, ["komplettering"], CheckContext(others=others))
    return {f.rule for f in result.findings}


def test_a_good_certificate_has_no_findings() -> None:
    assert _rules(_certificate()) == set()


def test_psychiatric_diagnosis_needs_a_mental_status() -> None:
    depression = (Diagnosis(code="F321", code_system="1.2.752.116.1.1.1", text="Depression"),)
    told = FunctionalImpairment(text="Sover dåligt, har tappat lusten och orkar ingenting hemma.")
    seen = FunctionalImpairment(
        text="Sänkt grundstämning, affekt avflackad, psykomotoriskt hämmad. PHQ-9 19."
    )
    assert "K-35-PSYKISKT-STATUS-SAKNAS" in _rules(
        _certificate(diagnoses=depression, functional_impairment=told)
    )
    assert "K-35-PSYKISKT-STATUS-SAKNAS" not in _rules(
        _certificate(diagnoses=depression, functional_impairment=seen)
    )


def test_unclear_prognosis_reasoning_is_read_from_25_in_v1_and_39_2_in_v2() -> None:
    reason = "Avgörs av om MR-undersökningen visar diskbråck som behöver opereras."
    unclear = Prognosis(code=PrognosisCode.PROGNOS_OKLAR)
    assert "K-39-OKLAR-UTAN-GRUND" in _rules(_certificate(prognosis=unclear))
    assert "K-39-OKLAR-UTAN-GRUND" not in _rules(_certificate(prognosis=unclear, other_information=reason))
    v2 = Prognosis(code=PrognosisCode.PROGNOS_OKLAR, text=reason)
    basis = (Basis(kind=BasisKind.FYSISKUNDERSOKNING, date=date(2025, 3, 10)),)
    assert "K-39-OKLAR-UTAN-GRUND" not in _rules(_certificate(version="2", basis=basis, prognosis=v2))


def test_telephone_only_needs_an_explanation_in_25() -> None:
    phone = (Basis(kind=BasisKind.TELEFONKONTAKT, date=date(2025, 3, 10)),)
    assert "K-1-UTAN-UNDERSOKNING" in _rules(_certificate(basis=phone))
    explained = (
        "Undersökt av mig på mottagningen 3 mars; förlängning per telefon då hon har feber och smittar."
    )
    assert "K-1-UTAN-UNDERSOKNING" not in _rules(_certificate(basis=phone, other_information=explained))


def test_the_37_prediction_uses_the_same_definitions_as_the_fmb_ruleset() -> None:
    files = sorted((REPO / "fixtures" / "komplettering").glob("*.xml"))
    files += sorted((REPO / "fixtures" / "certificates" / "xml").glob("*.xml"))
    for path in files:
        findings = intygscheck.check(intygscheck.read(path), ["komplettering", "fmb"]).findings
        rules = {f.rule for f in findings}
        assert ("K-37-FMB-UTAN-MOTIVERING" in rules) == ("FMB-32-OVERSKRIDEN-UTAN-MOTIVERING" in rules), (
            path.name
        )


def test_the_readme_demo_prints_a_swedish_finding_about_17() -> None:
    result = intygscheck.check(
        intygscheck.read(REPO / "fixtures" / "certificates" / "xml" / "ryggvark-1.xml")
    )
    (finding,) = [f for f in result.findings if f.category == "komplettering"]
    assert finding.rule == "K-17-GENERISK" and finding.questions == ("17",)
    assert finding.message("sv").startswith("FK frågar troligen om 17")
    assert finding.location.path == "activity_limitation.text" and finding.location.span is not None


def _d(code: str, text: str) -> tuple[Diagnosis, ...]:
    return (Diagnosis(code=code, code_system="1.2.752.116.1.1.1", text=text),)


def _p(*periods: tuple[Grade, date, date]) -> tuple[SickLeavePeriod, ...]:
    return tuple(SickLeavePeriod(grade=g, start=s, end=e) for g, s, e in periods)


# Wordings written after the rules and never used to tune them (none is in the corpus):
# (name, fields that differ from the good base certificate, questions a case officer would ask).
NEW_WORDINGS: list[tuple[str, dict[str, object], set[str]]] = [
    (
        "good, knee, tiler",
        {
            "work_tasks": "Plattsättare, arbetar på knä större delen av dagen och bär kakel.",
            "diagnoses": _d("M232", "Meniskskada"),
            "functional_impairment": FunctionalImpairment(
                text="Hö knä: hydrops, ledlinjeömhet medialt, McMurray positiv. Flexion 100°."
            ),
            "activity_limitation": ActivityLimitation(
                text="Kan inte stå på knä vid plattsättning och inte bära kakelkartonger i trappor."
            ),
        },
        set(),
    ),
    (
        "good, adjustment disorder, developer",
        {
            "work_tasks": "Systemutvecklare i agilt team, kodar och deltar i dagliga möten.",
            "diagnoses": _d("F432", "Anpassningsstörning"),
            "functional_impairment": FunctionalImpairment(
                text="Vid besöket orolig och uppvarvad, ögonkontakt flackande, tappar tråden. PHQ-9 16."
            ),
            "activity_limitation": ActivityLimitation(
                text="Kan inte koda mer än en timme innan koncentrationen tryter, klarar inte dagliga möten."
            ),
        },
        set(),
    ),
    (
        "35, shoulder, history only",
        {
            "work_tasks": "Målare, rollar väggar och tak.",
            "diagnoses": _d("M754", "Impingement axel"),
            "functional_impairment": FunctionalImpairment(
                text="Har ont i hö axel sedan ett par månader, särskilt nattetid. Tycker det blivit värre."
            ),
            "activity_limitation": ActivityLimitation(
                text="Kan inte rolla tak eller arbeta med armen över axelhöjd mer än några minuter."
            ),
        },
        {"35"},
    ),
    (
        "35, depression without mental status",
        {
            "work_tasks": "Lärare i matematik på högstadiet, undervisar fem lektioner om dagen.",
            "diagnoses": _d("F329", "Depressiv episod"),
            "functional_impairment": FunctionalImpairment(
                text="Nedstämd sedan i våras, sover dåligt, har tappat aptiten och intresset för det mesta."
            ),
            "activity_limitation": ActivityLimitation(
                text="Klarar inte att hålla lektioner: tappar fokus efter tio minuter."
            ),
        },
        {"35"},
    ),
    (
        "17, too ill to work",
        {
            "diagnoses": _d("J111", "Influensa"),
            "functional_impairment": FunctionalImpairment(
                text="Temp 39,2. Hosta, rassel basalt hö. Sat 95 %."
            ),
            "activity_limitation": ActivityLimitation(text="Är för sjuk för att arbeta."),
        },
        {"17"},
    ),
    (
        "17, symptoms only",
        {
            "activity_limitation": ActivityLimitation(
                text="Värk och stelhet i ryggen som förvärras under dagen."
            )
        },
        {"17"},
    ),
    (
        "1, telephone only",
        {"basis": (Basis(kind=BasisKind.TELEFONKONTAKT, date=date(2025, 3, 10)),)},
        {"1"},
    ),
    (
        "records only, explained",
        {
            "basis": (Basis(kind=BasisKind.JOURNALUPPGIFTER, date=date(2025, 3, 10)),),
            "other_information": "Undersökt på ortopedakuten i går, journalen läst; tillståndet oförändrat.",
        },
        set(),
    ),
    (
        "39, unclear, follow-up only",
        {
            "prognosis": Prognosis(code=PrognosisCode.PROGNOS_OKLAR),
            "other_information": "Ny bedömning vid återbesök.",
        },
        {"39"},
    ),
    (
        "unclear, reasoned in 25",
        {
            "prognosis": Prognosis(code=PrognosisCode.PROGNOS_OKLAR),
            "other_information": "Prognosen beror på resultatet av pågående neurologisk utredning med MR.",
        },
        set(),
    ),
    ("29, vague", {"work_tasks": "Jobbar heltid."}, {"29"}),
    (
        "late start without reason, over FMB",
        {
            "signed_at": datetime(2025, 3, 20, 9, 0),
            "periods": _p((Grade.HELT_NEDSATT, date(2025, 3, 5), date(2025, 3, 31))),
        },
        {"32", "25", "37"},
    ),
    (
        "late start with reason, over FMB",
        {
            "signed_at": datetime(2025, 3, 20, 9, 0),
            "periods": _p((Grade.HELT_NEDSATT, date(2025, 3, 5), date(2025, 3, 31))),
            "other_information": "Inlagd på medicinkliniken 5–18 mars, intyget gäller från insjuknandet.",
        },
        {"37"},
    ),
    (
        "grade changes without reason, over FMB",
        {
            "periods": _p(
                (Grade.HALFTEN, date(2025, 3, 10), date(2025, 3, 23)),
                (Grade.HELT_NEDSATT, date(2025, 3, 24), date(2025, 4, 6)),
            )
        },
        {"17", "32", "37"},
    ),
]


@pytest.mark.parametrize(
    ("fields", "expected"), [(f, e) for _, f, e in NEW_WORDINGS], ids=[n for n, _, _ in NEW_WORDINGS]
)
def test_new_wordings_are_predicted(fields: dict[str, object], expected: set[str]) -> None:
    quality = _quality()
    assert set(quality.predicted_questions(intygscheck.check(_certificate(**fields)))) == expected


def test_the_committed_rule_catalogue_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    from intygscheck.report.rules_doc import render_catalogue

    monkeypatch.chdir(REPO)  # the catalogue shows the ruleset's path relative to the working folder

    committed = (REPO / "docs" / "rules-komplettering.md").read_text(encoding="utf-8")
    assert render_catalogue([intygscheck.load_ruleset("komplettering")], "sv") == committed, (
        "run: intygscheck rules doc komplettering --out docs/rules-komplettering.md"
    )
