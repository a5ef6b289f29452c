"""Reading Inera's real RIVTA certificates into the model, rejecting bad ones, and round trips."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from intygscheck.errors import InputError, UnsupportedFormatError
from intygscheck.ingest import read
from intygscheck.ingest.rivta import read_rivta
from intygscheck.ingest.rivta_writer import write_rivta
from intygscheck.model import (
    Basis,
    BasisKind,
    Certificate,
    CodeSystem,
    Diagnosis,
    Grade,
    MeasureCode,
    Occupation,
    Patient,
    PersonalIdKind,
    Prognosis,
    PrognosisCode,
    Relation,
    RelationKind,
    Sex,
    SickLeavePeriod,
    make_personal_id,
    parse_personal_id,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
INERA = SHARED / "external" / "inera-fk7804"
V1 = INERA / "v1-transport"
PREFILL = INERA / "v2" / "FK7804_V2_prefill.xml"
SCHEMA = (
    INERA
    / "schemas"
    / "interactions"
    / "RegisterCertificateInteraction"
    / "RegisterCertificateResponder_3.1.xsd"
)

PNR = make_personal_id(date(1984, 3, 9), 238)  # made up, valid check digit
REJECTED = {
    "lisjp_broken.xml": ("svar[@id=32]/delsvar[@id=32.2]", "32.2"),  # a period without its dates
    "diagnosMaxTreDiagnoser.xml": ("svar[@id=28]/delsvar[@id=28.1]", "'1'"),  # occupation code "1"
}
"""Inera files that are rejected, with the path and a word the error must name."""

ALL_FILES = sorted(path.name for path in V1.glob("*.xml"))


def _read(name: str) -> Certificate:
    return read_rivta((V1 / name).read_bytes(), name)


def _lisjp_with(old: str, new: str) -> bytes:
    """lisjp.xml with one exact text replaced (the replacement must happen)."""
    text = (V1 / "lisjp.xml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


def test_all_53_inera_v1_files_are_present() -> None:
    assert len(ALL_FILES) == 53


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_inera_v1_file_is_read_or_clearly_rejected(name: str) -> None:
    data = (V1 / name).read_bytes()
    if name in REJECTED:
        path, word = REJECTED[name]
        with pytest.raises(InputError) as caught:
            read_rivta(data, name)
        error = caught.value
        assert error.source == name
        assert error.position.path == path
        assert error.position.line is not None
        assert word in error.reason
        return
    certificate = read_rivta(data, name)
    assert certificate.id == "1234567"
    assert certificate.type == "LISJP"
    assert certificate.version == "1"
    assert certificate.signed_at == datetime(2015, 12, 7, 15, 48, 5)
    assert certificate.patient is not None
    assert "192703104321" not in certificate.model_dump_json()


def test_passing_inera_scenarios_are_all_readable() -> None:
    passing = [name for name in ALL_FILES if "__pass-" in name]
    assert len(passing) == 12
    assert not set(passing) & set(REJECTED)


def test_lisjp_reads_every_field() -> None:
    c = _read("lisjp.xml")
    assert c.diagnoses == (
        Diagnosis(code="S47", code_system=CodeSystem.ICD10SE_OLD_3.value, text="Klämskada skuldra"),
    )
    assert c.periods == (
        SickLeavePeriod(grade=Grade.TRE_FJARDEDEL, start=date(2015, 12, 7), end=date(2015, 12, 10)),
        SickLeavePeriod(grade=Grade.HALFTEN, start=date(2015, 12, 12), end=date(2015, 12, 14)),
        SickLeavePeriod(grade=Grade.EN_FJARDEDEL, start=date(2015, 12, 15), end=date(2015, 12, 20)),
    )
    assert c.occupations == (Occupation.NUVARANDE_ARBETE, Occupation.STUDIER)
    assert c.basis == (
        Basis(kind=BasisKind.TELEFONKONTAKT, date=date(2015, 12, 8)),
        Basis(kind=BasisKind.ANNAT, date=date(2015, 12, 7), text="Barndomsvän"),
    )
    assert c.work_tasks == "Smed"
    assert c.functional_impairment.text == "Haltar när han dansar"
    assert c.activity_limitation.text == "Kommer inte in i bilen"
    assert c.fmb_motivation == "Överskrider inte FMB"
    assert c.working_time.requested is True
    assert c.working_time.motivation == "Kan bara jobba på nätterna."
    assert c.travel is True
    assert c.prognosis == Prognosis(code=PrognosisCode.PROGNOS_OKLAR)
    assert c.measures.codes == (MeasureCode.OVRIGA_ATGARDER, MeasureCode.KONFLIKTHANTERING)
    assert c.measures.text == "Jobbar bra om man inte stör honom"
    assert c.smittbararpenning is None
    assert c.other_information is None
    assert c.relations == ()
    assert c.dfa.activity_limitation == "Kommer inte in i bilen"


def test_lisjp_patient_is_pseudonymous_and_keeps_the_wrong_check_digit() -> None:
    patient = _read("lisjp.xml").patient
    assert patient is not None
    assert patient.id_kind is PersonalIdKind.PERSONNUMMER
    assert patient.id_check_digit_valid is False  # Inera's test patient 19270310-4321
    assert patient.birth_date == date(1927, 3, 10)
    assert patient.sex is Sex.FEMALE
    assert patient.key == parse_personal_id("192703104321").pseudonym()


def test_lisjp_issuer_has_unit_and_provider_and_no_personnummer() -> None:
    issuer = _read("lisjp.xml").issuer
    assert issuer is not None
    assert issuer.person_name == "Karl Karlsson"
    assert issuer.unit_id == "123456789" and issuer.unit_name == "VE1"
    assert issuer.care_provider_id == "12345678" and issuer.care_provider_name == "VG1"
    assert issuer.person_id == parse_personal_id("19650708-1234").pseudonym()


def test_samordningsnummer_patient() -> None:
    patient = _read("scenarios__pass-samordning.xml").patient
    assert patient is not None
    assert patient.id_kind is PersonalIdKind.SAMORDNINGSNUMMER
    assert patient.birth_date == date(1980, 1, 31)


def test_three_diagnosis_rows_keep_their_order_and_code_systems() -> None:
    c = _read("scenarios__pass-diagnos-med-bidiagnoser.xml")
    assert [d.code for d in c.diagnoses] == ["S47", "Z731", "A039"]
    assert [d.text for d in c.diagnoses] == [
        "Klämskada skuldra",
        "Accentuering av personlighetsdrag",
        "Shigellos, ospecificerad",
    ]
    mixed = _read("scenarios__fail-diagnoserMedOlikaKodsystem.xml")
    assert [d.code_system for d in mixed.diagnoses] == [CodeSystem.ICD10SE_OLD_3, CodeSystem.KSH97P]
    assert mixed.diagnoses[1].code == "A00-"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("scenarios__fail-diagnoskodMedMindreAnTrePositioner.xml", "S4"),
        ("scenarios__fail-diagnoskodMerAnFemTecken.xml", "S47ABC"),
        ("scenarios__fail-diagnosPsykiskDiagnoskodFelAntalTecken.xml", "Z73"),
    ],
)
def test_bad_diagnosis_codes_are_read_as_written_for_rules_to_flag(name: str, code: str) -> None:
    assert _read(name).diagnoses[0].code == code


def test_whitespace_around_codes_is_stripped() -> None:
    c = _read("scenarios__pass-whitespaceCvKoder.xml")
    assert c.basis[0].kind is BasisKind.UNDERSOKNING
    assert c.occupations == (Occupation.NUVARANDE_ARBETE,)
    assert c.periods[0].grade is Grade.TRE_FJARDEDEL
    assert c.prognosis.code is PrognosisCode.ATER_X_ANTAL_DGR
    assert c.prognosis.days == 30
    assert c.measures.codes == (MeasureCode.OVRIGA_ATGARDER,)


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("scenarios__fail-aktivitetsbegransningWhitespaces.xml", lambda c: c.activity_limitation.text),
        ("scenarios__fail-funktionsnedsattningWhitespaces.xml", lambda c: c.functional_impairment.text),
        ("scenarios__fail-fmbWhitespaces.xml", lambda c: c.fmb_motivation),
        ("scenarios__fail-ovrigtWhitespaces.xml", lambda c: c.other_information),
        ("scenarios__fail-pagaendeBehandlingWhitespaces.xml", lambda c: c.treatment.ongoing),
        ("scenarios__fail-planeradBehandlingWhitespaces.xml", lambda c: c.treatment.planned),
        ("scenarios__fail-sysselsattningNuvarandeArbeteWhitespaces.xml", lambda c: c.work_tasks),
        (
            "scenarios__fail-arbetstidsforlaggningMotiveringWhitespaces.xml",
            lambda c: c.working_time.motivation,
        ),
    ],
)
def test_whitespace_only_texts_stay_whitespace_only(name: str, field: object) -> None:
    assert callable(field)
    assert field(_read(name)) == "   "


def test_empty_contact_reason_is_an_empty_string_not_absent() -> None:
    c = _read("scenarios__fail-anledningKontaktWhitespaces.xml")
    assert c.contact.wanted is True
    assert c.contact.reason == ""


def test_v1_prognosis_with_forbidden_39_2_is_kept_for_rules() -> None:
    c = _read("prognosMedDelfraga39-2.xml")
    assert c.prognosis.text is not None


def test_smittbararpenning_true_and_false() -> None:
    assert _read("scenarios__pass-smittskydd.xml").smittbararpenning is True
    assert _read("scenarios__pass-smittskydd-false.xml").smittbararpenning is False


def test_answer_to_withdrawn_question_30_is_kept_as_its_id() -> None:
    c = _read("scenarios__fail-sysselsattningArbetsmarknadsProgramBordeInteFinnas.xml")
    assert c.occupations == (Occupation.ARBETSSOKANDE,)
    assert c.work_tasks is None
    assert c.withdrawn_answers == ("30",)


def test_prefill_document_reads_into_fk7804_v2() -> None:
    data = PREFILL.read_bytes()
    c = read_rivta(data, "prefill.xml")
    assert c.id.startswith("forifyllnad-") and c.id == read_rivta(data, "other-name.xml").id
    assert (c.type, c.version) == ("FK7804", "2")
    assert c.patient is None and c.issuer is None and c.signed_at is None
    assert c.smittbararpenning is False
    assert [b.kind for b in c.basis] == [
        BasisKind.FYSISKUNDERSOKNING,
        BasisKind.JOURNALUPPGIFTER,
        BasisKind.ANNAT,
    ]
    assert c.basis[2].text == "Annat underlag beskrivning"
    assert c.diagnoses == (
        Diagnosis(code="A78", code_system="1.2.752.116.1.1.1", text="Q-feber"),
        Diagnosis(code="A25", code_system="1.2.752.116.1.1.1", text=None),
    )
    assert c.treatment.ongoing == "Medicinsk behandling text"
    assert c.periods == (
        SickLeavePeriod(grade=Grade.TRE_FJARDEDEL, start=date(2025, 7, 4), end=date(2025, 7, 10)),
    )
    assert c.prognosis == Prognosis(code=PrognosisCode.STOR_SANNOLIKHET)
    assert c.measures.text == "Åtgärder som kan främja återgången i arbete text"
    assert c.contact.reason == "Ange varför du vill ha kontakt text"


def test_read_detects_rivta_from_a_path() -> None:
    assert read(V1 / "lisjp.xml").id == "1234567"


# --- rejection of bad certificates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        (
            "<ns3:code>HALFTEN</ns3:code>",
            "<ns3:code>1</ns3:code>",
            "svar[@id=32]/delsvar[@id=32.1]",
            ["'1'", "32.1"],
        ),
        (
            "<ns3:start>2015-12-12</ns3:start>",
            "<ns3:start>2015-13-12</ns3:start>",
            "svar[@id=32]/delsvar[@id=32.2]",
            ["2015-13-12"],
        ),
        ("<ns3:end>2015-12-14</ns3:end>", "", "svar[@id=32]/delsvar[@id=32.2]", ["end"]),
        (
            '<delsvar id="1.2">2015-12-08</delsvar>',
            '<delsvar id="1.2">igår</delsvar>',
            "svar[@id=1]/delsvar[@id=1.2]",
            ["igår"],
        ),
        (
            '<delsvar id="34.1">true</delsvar>',
            '<delsvar id="34.1">ja</delsvar>',
            "svar[@id=34]/delsvar[@id=34.1]",
            ["'ja'"],
        ),
        (
            '<delsvar id="29.1">Smed</delsvar>',
            '<delsvar id="29.2">Smed</delsvar>',
            "svar[@id=29]/delsvar[@id=29.2]",
            ["29.2"],
        ),
        ('<svar id="29">', '<svar id="99">', "svar[@id=99]", ["'99'"]),
        ("<ns3:code>S47</ns3:code>", "<ns3:code> </ns3:code>", "svar[@id=6]/delsvar[@id=6.2]", ["6.2"]),
        (
            "<ns3:code>PROGNOS_OKLAR</ns3:code>",
            "<ns3:code>KANSKE</ns3:code>",
            "svar[@id=39]/delsvar[@id=39.1]",
            ["KANSKE"],
        ),
    ],
    ids=[
        "grade-code",
        "date",
        "missing-end",
        "basis-date",
        "boolean",
        "wrong-delsvar",
        "unknown-question",
        "blank-diagnosis-code",
        "prognosis-code",
    ],
)
def test_bad_answers_are_rejected_with_path_and_line(old: str, new: str, path: str, words: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        read_rivta(_lisjp_with(old, new), "bad.xml")
    error = caught.value
    assert error.position.path == path
    assert error.position.line is not None and error.position.line > 60
    for word in words:
        assert word in error.reason


def test_a_single_answer_question_given_twice_is_rejected() -> None:
    data = _lisjp_with(
        '<svar id="34">', '<svar id="17"><delsvar id="17.1">igen</delsvar></svar><svar id="34">'
    )
    with pytest.raises(InputError, match="more than once"):
        read_rivta(data, "twice.xml")


def test_invalid_patient_number_is_rejected_without_echoing_it() -> None:
    data = _lisjp_with(
        "<ns3:extension>192703104321</ns3:extension>", "<ns3:extension>192713404321</ns3:extension>"
    )
    with pytest.raises(InputError) as caught:
        read_rivta(data, "pnr.xml")
    assert caught.value.position.path == "patient/person-id"
    assert "192713404321" not in str(caught.value)


def test_unknown_root_is_unsupported_and_named() -> None:
    with pytest.raises(UnsupportedFormatError, match="SendMessageToCare"):
        read_rivta(b'<SendMessageToCare xmlns="urn:example"/>', "other.xml")


def test_svar_in_the_wrong_namespace_is_rejected() -> None:
    data = _lisjp_with('<svar id="29">', '<svar xmlns="urn:wrong" id="29">')
    with pytest.raises(InputError, match="namespace"):
        read_rivta(data, "ns.xml")


def test_relations_replace_and_complete() -> None:
    relations = """<relation><typ><ns3:code>ERSATT</ns3:code>
        <ns3:codeSystem>c2362fcd-eda0-4f9a-bd13-b3bbaf7f2146</ns3:codeSystem></typ>
      <intygs-id><ns3:root>1</ns3:root><ns3:extension>old-1</ns3:extension></intygs-id></relation>
      <relation><typ><ns3:code>KOMPLT</ns3:code>
        <ns3:codeSystem>c2362fcd-eda0-4f9a-bd13-b3bbaf7f2146</ns3:codeSystem></typ>
      <intygs-id><ns3:root>1</ns3:root><ns3:extension>old-2</ns3:extension></intygs-id></relation>
    <svar id="1">"""
    c = read_rivta(_lisjp_with('<svar id="1">', relations), "rel.xml")
    assert c.relations == (
        Relation(kind=RelationKind.REPLACES, certificate_id="old-1"),
        Relation(kind=RelationKind.COMPLETES, certificate_id="old-2"),
    )
    with pytest.raises(InputError, match="KLADD"):
        read_rivta(_lisjp_with('<svar id="1">', relations.replace("KOMPLT", "KLADD")), "rel.xml")


# --- writer and round trips --------------------------------------------------------------------


def _readable() -> list[Path]:
    return [V1 / name for name in ALL_FILES if name not in REJECTED] + [PREFILL]


@pytest.mark.parametrize("path", _readable(), ids=lambda p: p.name)
def test_round_trip_through_the_writer_gives_the_same_certificate(path: Path) -> None:
    original = read_rivta(path.read_bytes(), path.name)
    again = read_rivta(write_rivta(original, personal_id=PNR), "written.xml")
    assert again.patient == Patient.from_personal_id(parse_personal_id(PNR))
    assert again.model_copy(update={"patient": original.patient}) == original


def test_writer_without_personal_id_omits_the_patient() -> None:
    original = _read("lisjp.xml")
    again = read_rivta(write_rivta(original), "written.xml")
    assert again.patient is None
    assert again.model_copy(update={"patient": original.patient}) == original


def test_writer_output_is_valid_against_ineras_schema() -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for name in (
        "lisjp.xml",
        "scenarios__pass-diagnos-med-bidiagnoser.xml",
        "scenarios__pass-samordning.xml",
    ):
        written = write_rivta(_read(name), personal_id=PNR)
        assert schema.validate(etree.fromstring(written)), (name, schema.error_log.last_error)


def test_writer_uses_the_samordningsnummer_root() -> None:
    number = make_personal_id(date(1990, 2, 14), 456, samordning=True)
    written = write_rivta(_read("lisjp.xml"), personal_id=number)
    assert b"1.2.752.129.2.1.3.3" in written
    patient = read_rivta(written, "s.xml").patient
    assert patient is not None and patient.id_kind is PersonalIdKind.SAMORDNINGSNUMMER


def test_v2_certificate_round_trip_with_v2_answers() -> None:
    v1 = _read("lisjp.xml")
    v2 = v1.model_copy(
        update={
            "version": "2",
            "basis": tuple(
                Basis(
                    kind=kind,
                    date=date(2025, 1, 2 + n),
                    text="Intyg från fysioterapeut" if kind is BasisKind.ANNAT else None,
                )
                for n, kind in enumerate(
                    [
                        BasisKind.FYSISKUNDERSOKNING,
                        BasisKind.DIGITALUNDERSOKNING,
                        BasisKind.TELEFONKONTAKT,
                        BasisKind.JOURNALUPPGIFTER,
                        BasisKind.ANNAT,
                    ]
                )
            ),
            "prognosis": Prognosis(
                code=PrognosisCode.ATER_X_ANTAL_MANADER, text="Förbättras stadigt", months=4
            ),
            "measures": v1.measures.model_copy(update={"codes": ()}),
            "diagnoses": v1.diagnoses * 4,
        }
    )
    written = write_rivta(v2, personal_id=PNR)
    assert b"<version>2</version>" in written
    again = read_rivta(written, "v2.xml")
    assert again.model_copy(update={"patient": v2.patient}) == v2


def test_writer_refuses_a_prognosis_day_count_outside_the_code_list() -> None:
    c = _read("scenarios__pass-prognos.xml")
    with pytest.raises(ValueError, match="KV_FKMU_0007"):
        write_rivta(c.model_copy(update={"prognosis": c.prognosis.model_copy(update={"days": 45})}))


# --- command line ------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from intygscheck.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_parse_prints_real_certificates() -> None:
    result = _cli("parse", str(V1 / "lisjp.xml"), str(PREFILL))
    assert result.returncode == 0, result.stderr
    assert "S47" in result.stdout and "Q-feber" in result.stdout
    assert "192703104321" not in result.stdout


def test_cli_parse_of_a_broken_file_gives_one_line_and_exit_code_2(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.xml"
    truncated.write_bytes((V1 / "lisjp.xml").read_bytes()[:500])
    result = _cli("parse", str(V1 / "lisjp_broken.xml"), str(truncated))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"intygscheck: {V1 / 'lisjp_broken.xml'}:145 ")
    assert lines[1].startswith(f"intygscheck: {truncated}:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "update",
    [{"months": -1}, {"text": "nul\x00tecken"}],
    ids=["negative-months", "control-character"],
)
def test_writer_refuses_values_the_transport_cannot_hold(update: dict[str, object]) -> None:
    c = _read("lisjp.xml")
    with pytest.raises(ValueError):
        write_rivta(c.model_copy(update={"prognosis": c.prognosis.model_copy(update=update)}))
