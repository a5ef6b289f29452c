"""The shipped fixtures: they read, agree across formats, match their sources and rebuild identically.

The fixtures are built by ``fixtures/build.py`` from TOML under ``fixtures/src/``; these tests
keep the committed XML, FHIR and ``labels.csv`` honest against those sources.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from intygscheck.ingest import read
from intygscheck.model import Certificate, Grade, Occupation, PrognosisCode, parse_personal_id
from intygscheck.model.personal_id import PSEUDONYM_SECRET_ENV

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CERT_XML = FIXTURES / "certificates" / "xml"
CERT_FHIR = FIXTURES / "certificates" / "fhir"
CORPUS = FIXTURES / "komplettering"
LABELS = CORPUS / "labels.csv"

FK_QUESTION_IDS = {"1", "6", "17", "19", "20", "25", "26", "27", "28", "29", "32", "33", "34", "35"}
FK_QUESTION_IDS |= {"37", "39", "40", "44"}


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fixtures_build", FIXTURES / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load_build()


@pytest.fixture(autouse=True)
def _default_pseudonym_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed FHIR holds pseudonyms made with the default secret; a site secret must not leak in."""
    monkeypatch.delenv(PSEUDONYM_SECRET_ENV, raising=False)


def _stems(folder: Path, suffix: str) -> list[str]:
    return sorted(path.stem for path in folder.glob(f"*{suffix}"))


def _label_rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CERT_STEMS = _stems(CERT_XML, ".xml")
CORPUS_FILES = sorted(CORPUS.glob("*.xml"))


def test_there_are_at_least_twelve_certificates_in_both_formats() -> None:
    assert len(CERT_STEMS) >= 12
    assert _stems(CERT_FHIR, ".json") == CERT_STEMS


@pytest.mark.parametrize("stem", CERT_STEMS)
def test_certificate_xml_and_fhir_read_to_the_same_certificate(stem: str) -> None:
    from_xml = read(CERT_XML / f"{stem}.xml")
    from_fhir = read(CERT_FHIR / f"{stem}.json")
    assert isinstance(from_xml, Certificate)
    assert from_xml == from_fhir


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_xml_reads(path: Path) -> None:
    certificate = read(path)
    assert certificate.patient is not None and certificate.patient.id_check_digit_valid


def test_committed_files_are_what_their_sources_build() -> None:
    for set_name, labeled in (("certificates", False), ("komplettering", True)):
        for item in build.build_set(build.SOURCES / set_name, set_name, labeled):
            xml = (CERT_XML if set_name == "certificates" else CORPUS) / f"{item.stem}.xml"
            assert read(xml) == item.certificate, xml.name


def test_build_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    counts = build.build(tmp_path)
    assert counts == {"certificates": len(CERT_STEMS), "komplettering": len(CORPUS_FILES)}
    committed = sorted(
        p.relative_to(FIXTURES)
        for folder in (CERT_XML, CERT_FHIR, CORPUS)
        for p in folder.iterdir()
        if p.is_file()
    )
    rebuilt = sorted(
        p.relative_to(tmp_path)
        for folder in ("certificates/xml", "certificates/fhir", "komplettering")
        for p in (tmp_path / folder).iterdir()
    )
    assert rebuilt == committed
    for relative in committed:
        assert (tmp_path / relative).read_bytes() == (FIXTURES / relative).read_bytes(), relative


def test_labels_list_exactly_the_corpus_files_with_valid_question_ids() -> None:
    rows = _label_rows()
    assert list(rows[0]) == ["file", "questions", "notes"]
    assert sorted(row["file"] for row in rows) == [p.name for p in CORPUS_FILES]
    for row in rows:
        questions = [q for q in row["questions"].split(";") if q]
        assert set(questions) <= FK_QUESTION_IDS, row["file"]
        assert row["notes"].strip(), row["file"]


def test_corpus_size_and_balance() -> None:
    rows = _label_rows()
    assert len(rows) >= 60
    assert sum(1 for row in rows if not row["questions"]) >= 20
    per_question = Counter(q for row in rows for q in row["questions"].split(";") if q)
    minimum = {"35": 6, "17": 8, "1": 5, "39": 5, "37": 5, "29": 4, "32": 3, "25": 3}
    for question, count in minimum.items():
        assert per_question[question] >= count, question


_ID_CANDIDATE = re.compile(r"(?<![\w-])(\d{8}-?\d{4}|\d{6}[-+]\d{4})(?![\w-])")


def _is_date_like(number: str) -> bool:
    digits = number.replace("-", "").replace("+", "")
    year = int(digits[:4]) if len(digits) == 12 else 2000
    month, day = (
        (int(digits[4:6]), int(digits[6:8])) if len(digits) == 12 else (int(digits[2:4]), int(digits[4:6]))
    )
    try:
        date(year, month, day - 60 if day > 60 else day)
    except ValueError:
        return False
    return True


def test_no_fixture_holds_an_identity_number_with_a_wrong_check_digit() -> None:
    files = [p for folder in (CERT_XML, CERT_FHIR, CORPUS) for p in folder.iterdir() if p.is_file()]
    seen = 0
    for path in files:
        for number in _ID_CANDIDATE.findall(path.read_text(encoding="utf-8")):
            if _is_date_like(number):
                seen += 1
                assert parse_personal_id(number).check_digit_valid, path.name
    assert seen >= len(CORPUS_FILES)  # every XML carries its patient's number


def test_fhir_fixtures_hold_no_identity_number() -> None:
    for path in CERT_FHIR.glob("*.json"):
        assert not _ID_CANDIDATE.search(path.read_text(encoding="utf-8")), path.name


def _mandatory_gaps(certificate: Certificate) -> list[str]:
    """The FK 7804 questions a certificate leaves unanswered (DOMAIN.md §2)."""
    if certificate.smittbararpenning:
        return [q for q, ok in (("6", certificate.diagnoses), ("32", certificate.periods)) if not ok]
    part_time = any(p.grade is not Grade.HELT_NEDSATT for p in certificate.periods)
    checks = {
        "1": bool(certificate.basis),
        "28": bool(certificate.occupations),
        "29": bool(certificate.work_tasks) or Occupation.NUVARANDE_ARBETE not in certificate.occupations,
        "6": bool(certificate.diagnoses),
        "35": bool((certificate.functional_impairment.text or "").strip()),
        "17": bool((certificate.activity_limitation.text or "").strip()),
        "32": bool(certificate.periods),
        "33": (certificate.working_time.requested is not None) == part_time,
        "39": certificate.prognosis.code is not None,
        "40": bool(certificate.measures.codes)
        or (certificate.version == "2" and bool(certificate.measures.text)),
    }
    return [question for question, ok in checks.items() if not ok]


def test_every_fixture_answers_the_mandatory_questions() -> None:
    for set_name, labeled in (("certificates", False), ("komplettering", True)):
        for item in build.build_set(build.SOURCES / set_name, set_name, labeled):
            assert _mandatory_gaps(item.certificate) == [], item.stem


def test_corpus_patients_are_distinct_adults_of_working_age() -> None:
    corpus = build.build_set(build.SOURCES / "komplettering", "komplettering", True)
    keys = Counter(item.certificate.patient.key for item in corpus)
    assert max(keys.values()) == 1
    ages = [item.certificate.age_at_signing for item in corpus]
    assert all(age is not None and 20 <= age <= 66 for age in ages)
    sexes = Counter(item.certificate.patient.sex for item in corpus)
    assert len(sexes) == 2 and min(sexes.values()) >= len(corpus) // 3


def test_unclear_prognosis_is_only_unlabeled_when_25_reasons_about_it() -> None:
    for row, item in zip(
        _label_rows(), build.build_set(build.SOURCES / "komplettering", "komplettering", True), strict=True
    ):
        if item.certificate.prognosis.code is PrognosisCode.PROGNOS_OKLAR and "39" not in row["questions"]:
            assert len(item.certificate.other_information or "") > 80, row["file"]


def test_a_broken_source_fails_naming_its_file(tmp_path: Path) -> None:
    source = tmp_path / "trasig.toml"
    source.write_text('signed_at = 2025-01-01T10:00:00\nwork_tasks = """ej avslutad\n', encoding="utf-8")
    with pytest.raises(build.FixtureError, match=r"trasig\.toml"):
        build.build_set(tmp_path, "test", labeled=False)


def test_a_source_with_a_model_error_fails_naming_its_file_and_field(tmp_path: Path) -> None:
    source = tmp_path / "fel.toml"
    source.write_text(
        'signed_at = 2025-01-01T10:00:00\npatient = { birth_date = 1980-01-01, serial = 120, sex = "K" }\n'
        "periods = [{ grade = 30, start = 2025-01-01, end = 2025-01-10 }]\n",
        encoding="utf-8",
    )
    with pytest.raises(build.FixtureError, match=r"fel\.toml: periods\.0\.grade"):
        build.build_set(tmp_path, "test", labeled=False)


def test_a_sex_that_contradicts_the_serial_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "kon.toml"
    source.write_text('patient = { birth_date = 1980-01-01, serial = 121, sex = "K" }\n', encoding="utf-8")
    with pytest.raises(build.FixtureError, match=r"kon\.toml.*does not match sex"):
        build.build_set(tmp_path, "test", labeled=False)
