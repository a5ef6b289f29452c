"""FMB: importing Socialstyrelsen's /typfall, the shipped table, code matching and both modes."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from intygscheck.cli import app
from intygscheck.cli import fmb_cmd as _fmb_cmd  # noqa: F401  (registers the fmb commands)
from intygscheck.errors import InputError
from intygscheck.model import (
    Certificate,
    Diagnosis,
    FunctionalImpairment,
    Grade,
    SickLeavePeriod,
)
from intygscheck.terminology.fmb import (
    FmbMode,
    FmbTable,
    ZeroPolicy,
    decide,
    default_table,
    load_table,
    resolve,
)
from intygscheck.terminology.fmb.importer import convert, import_file, write_table
from intygscheck.terminology.fmb.table import SHIPPED_TABLE

TYPFALL_2020 = (
    Path(__file__).resolve().parents[1].parent / "shared" / "external" / "fmb" / "typfall-2020.json"
)
ICD = "1.2.752.116.1.1.1"


@pytest.fixture(scope="module")
def imported() -> FmbTable:
    table, warnings = import_file(TYPFALL_2020)
    assert warnings == []
    return table


def cert(
    *codes: str,
    work: str | None = None,
    text: str | None = None,
    grades: tuple[int, ...] = (100,),
    diagnosis_text: str | None = None,
) -> Certificate:
    start = date(2024, 5, 6)
    return Certificate(
        id="fmb-test",
        diagnoses=tuple(Diagnosis(code=c, code_system=ICD, text=diagnosis_text) for c in codes),
        work_tasks=work,
        functional_impairment=FunctionalImpairment(text=text),
        periods=tuple(
            SickLeavePeriod(grade=Grade(g), start=start + timedelta(7 * i), end=start + timedelta(7 * i + 6))
            for i, g in enumerate(grades)
        ),
    )


# --- importer ---------------------------------------------------------------------------------


def test_importer_keeps_all_439_typfall_and_303_codes(imported: FmbTable) -> None:
    assert len(imported.typfall) == 439
    assert len(imported.codes) == 303
    assert len(imported.without_number) == 81
    assert imported.source.data_date == date(2019, 6, 18)
    assert imported.source.api_version == "1.0.1-RC2.162"


def test_importer_converts_units_to_days_with_a_31_day_month(imported: FmbTable) -> None:
    by_id = {t.id: t for t in imported.typfall}
    assert (by_id["548"].max_value, by_id["548"].max_unit, by_id["548"].max_days) == (12, "mo", 372)
    assert (by_id["262"].max_value, by_id["262"].max_unit, by_id["262"].max_days) == (2, "wk", 14)
    assert (by_id["127"].max_value, by_id["127"].max_unit, by_id["127"].max_days) == (0, "d", 0)
    assert by_id["389"].max_value is None and by_id["389"].max_days is None
    assert by_id["388"].part_time and by_id["388"].degree is None
    assert by_id["387"].degree == 100


def test_importer_keeps_selection_attributes_as_codes(imported: FmbTable) -> None:
    by_id = {t.id: t for t in imported.typfall}
    assert by_id["111"].attributes["work_load"] == ("BELASTNING_1",)
    assert by_id["111"].attributes["procedure_status"] == ("398166005",)
    assert by_id["111"].surgical
    assert not by_id["113"].surgical
    assert by_id["511"].attributes["severity"] == ("371924009",)
    assert by_id["547"].attributes["course"] == ("255251009",)


def test_longer_than_four_weeks_is_flagged_open_ended(imported: FmbTable) -> None:
    by_id = {t.id: t for t in imported.typfall}
    assert by_id["515"].open_ended and by_id["515"].max_days == 28
    assert by_id["519"].open_ended and by_id["519"].max_days == 28
    assert not by_id["514"].open_ended


def test_shipped_table_is_the_2020_file_as_the_importer_writes_it(imported: FmbTable) -> None:
    shipped = load_table(SHIPPED_TABLE)
    assert shipped.typfall == imported.typfall
    assert shipped.source == imported.source
    assert SHIPPED_TABLE.read_text(encoding="utf-8") == imported.to_json()


def test_table_file_holds_no_prose_from_the_source() -> None:
    doc = json.loads(SHIPPED_TABLE.read_text(encoding="utf-8"))

    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    for text in strings(doc["typfall"]):
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+", text), text


def test_table_round_trips_through_its_file(imported: FmbTable, tmp_path: Path) -> None:
    written = write_table(imported, tmp_path / "sub" / "fmb.json")
    again = load_table(written)
    assert again.typfall == imported.typfall
    assert again.source == imported.source
    assert again.path == written


def _minimal(value: Any = "2", unit: Any = "wk") -> dict[str, Any]:
    return {
        "data": [
            {
                "id": "1",
                "attributes": {
                    "id": "1",
                    "version": "1",
                    "fmbtillstand": {"diagnoskod": [{"kod": "M54.5"}]},
                    "rekommenderadsjukskrivning": {
                        "maximalsjukskrivningstid": value,
                        "maximalsjukskrivningsenhet": unit,
                        "maximalsjukskrivningsgrad": {"kod": "1"},
                    },
                    "giltighetsperiod": {"start": "2020-01-01", "slut": None},
                    "senastuppdaterad": "2020-02-01T23:00:00+0000",
                },
            }
        ]
    }


def test_importer_normalises_codes_and_dates() -> None:
    table, _ = convert(_minimal(), "mem")
    assert table.codes == ("M545",)
    assert table.typfall[0].updated == date(2020, 2, 2)  # Stockholm time
    assert table.source.data_date == date(2020, 2, 2)


def test_a_maximum_that_is_not_a_number_is_kept_without_number() -> None:
    table, warnings = convert(_minimal(value="4-6"), "mem")
    assert table.typfall[0].max_days is None
    assert warnings and "4-6" in warnings[0]


def test_an_unknown_unit_is_an_error_naming_its_path() -> None:
    with pytest.raises(InputError) as caught:
        convert(_minimal(unit="yr"), "mem.json")
    assert "unknown unit" in caught.value.reason
    assert (
        caught.value.position.path
        == "data[0].attributes.rekommenderadsjukskrivning.maximalsjukskrivningsenhet"
    )


def test_a_file_that_is_not_json_is_an_error_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "typfall.json"
    bad.write_text('{"data": [\n  {"id": 1,,}\n]}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_file(bad)
    assert caught.value.position.line == 2
    assert str(bad) in str(caught.value)


def test_a_file_without_typfall_is_rejected() -> None:
    with pytest.raises(InputError, match="no typfall"):
        convert({"data": []}, "mem")


# --- code matching ----------------------------------------------------------------------------


def test_f438a_resolves_to_f438_with_372_days() -> None:
    resolution = resolve("F43.8A")
    assert resolution.tried == ("F438A", "F438")
    assert resolution.matched == "F438"
    assert max(t.max_days or 0 for t in resolution.typfall) == 372
    assert decide(cert("F438A"), mode=FmbMode.WEBCERT).max_days == 372


def test_m543_resolves_to_nothing_and_is_reported_unmatched() -> None:
    resolution = resolve("M54.3")
    assert resolution.tried == ("M543", "M54")
    assert resolution.matched is None
    decision = decide(cert("M543"))
    assert not decision.has_data
    assert decision.unmatched_codes == ("M543",)


def test_truncation_stops_at_three_characters() -> None:
    assert resolve("J06.9").matched == "J06"
    assert resolve("Q99").tried == ("Q99",)


# --- webcert mode -----------------------------------------------------------------------------


def test_webcert_mode_takes_the_highest_maximum_of_up_to_three_diagnoses() -> None:
    decision = decide(cert("M545", "F438A", "J069"), mode=FmbMode.WEBCERT)
    assert decision.max_days == 372
    assert decision.code == "F438A"
    assert decision.matched_code == "F438"
    assert decision.typfall_id == "548"
    assert decision.open_ended


def test_webcert_mode_ignores_a_fourth_diagnosis() -> None:
    decision = decide(cert("M545", "J069", "K409", "F438A"), mode=FmbMode.WEBCERT)
    assert decision.max_days == 28


def test_decision_carries_table_source_and_date() -> None:
    decision = decide(cert("M545"))
    assert decision.table_source == "Socialstyrelsen FMB /typfall"
    assert decision.table_date == date(2019, 6, 18)
    assert decision.table_age_years(date(2024, 6, 18)) == 5.0


def test_a_diagnosis_whose_typfall_have_no_number_has_data_but_no_maximum() -> None:
    for mode in FmbMode:
        decision = decide(cert("G20"), mode=mode)
        assert decision.has_data and decision.max_days is None
        assert decision.matched_code == "G20"
        assert "inget typfall anger" in decision.reason


def test_ksh97_codes_are_not_matched_against_fmb() -> None:
    primary_care = Certificate(
        id="k", diagnoses=(Diagnosis(code="M545", code_system="1.2.752.116.1.3.1.4.1", text="Lumbago"),)
    )
    decision = decide(primary_care)
    assert not decision.has_data and decision.unmatched_codes == ("M545",)


# --- zero maxima ------------------------------------------------------------------------------


def test_zero_maximum_is_zero_days_in_webcert_policy_and_seven_in_self_report() -> None:
    exact = decide(cert("G439"), mode=FmbMode.WEBCERT)
    assert exact.max_days == 0 and not exact.zero_adjusted
    lenient = decide(cert("G439"), mode=FmbMode.WEBCERT, zero_policy=ZeroPolicy.SELF_REPORT)
    assert lenient.max_days == 7 and lenient.zero_adjusted
    assert lenient.max_value == 0 and "egen sjukanmälan" in lenient.reason


# --- default mode -----------------------------------------------------------------------------


def test_default_mode_uses_light_or_heavy_work_from_question_29() -> None:
    light = decide(cert("M545", work="Handläggare på kontor, mest datorarbete"))
    heavy = decide(cert("M545", work="Lagerarbetare med tunga lyft"))
    assert (light.typfall_id, light.max_days) == ("261", 7)
    assert (heavy.typfall_id, heavy.max_days) == ("262", 14)
    assert "lätt arbete" in light.reason and "Handläggare" in light.reason
    assert decide(cert("M545", work="Handläggare på kontor"), mode=FmbMode.WEBCERT).max_days == 14


def test_default_mode_uses_a_stated_operation() -> None:
    operated = decide(cert("K409", work="Snickare", text="Opererad laparoskopiskt för ljumskbråck."))
    assert (operated.typfall_id, operated.max_days) == ("112", 14)
    assert "operation" in operated.reason
    not_operated = decide(cert("K409", work="Snickare", text="Ej opererad, väntar på operation."))
    assert (not_operated.typfall_id, not_operated.max_days) == ("113", 21)
    assert decide(cert("K409", work="Snickare"), mode=FmbMode.WEBCERT).max_days == 28


def test_default_mode_uses_severity_from_the_f32_code() -> None:
    mild = decide(cert("F320"))
    moderate = decide(cert("F321"))
    assert (mild.typfall_id, mild.max_days) == ("510", 93)
    assert (moderate.typfall_id, moderate.max_days) == ("511", 186)
    assert decide(cert("F320"), mode=FmbMode.WEBCERT).max_days == 186


def test_default_mode_uses_severity_words_in_the_diagnosis_text() -> None:
    severe = decide(cert("F411", diagnosis_text="Generaliserat ångestsyndrom, svårt"))
    assert severe.typfall_id == "515" and severe.open_ended


def test_default_mode_uses_the_grade_for_part_time_typfall() -> None:
    full = decide(cert("I219"))
    part = decide(cert("I219", grades=(50,)))
    assert full.typfall_id == "387"
    assert part.typfall_id == "388"
    assert full.max_days == part.max_days == 28


def test_default_mode_uses_the_main_diagnosis_first() -> None:
    decision = decide(cert("M545", "F438A", work="Ekonomiassistent, kontor"))
    assert decision.code == "M545" and decision.max_days == 7
    assert "Huvuddiagnosen M54.5" in decision.reason
    fallback = decide(cert("M543", "M545", work="Lagerarbete"))
    assert fallback.code == "M545" and fallback.max_days == 14
    assert fallback.unmatched_codes == ("M543",)


def test_default_mode_without_stated_facts_takes_the_most_generous_typfall() -> None:
    decision = decide(cert("F438A"))
    assert decision.max_days == 372
    assert "skiljer inte typfallen åt" in decision.reason


# --- which table --------------------------------------------------------------------------------


def test_an_imported_user_table_is_preferred_over_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_file = tmp_path / "fmb.json"
    monkeypatch.setenv("INTYGSCHECK_FMB_TABLE", str(user_file))
    assert default_table().path == SHIPPED_TABLE
    table, _ = convert(_minimal(value="3"), "mem")
    write_table(table, user_file)
    assert default_table().path == user_file
    assert decide(cert("M545")).max_days == 21


# --- command line -----------------------------------------------------------------------------

runner = CliRunner()


def test_cli_import_writes_the_table_and_reports_counts(tmp_path: Path) -> None:
    out = tmp_path / "fmb.json"
    result = runner.invoke(app, ["fmb", "import", str(TYPFALL_2020), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Typfall:" in result.output and "439" in result.output
    assert load_table(out).typfall == load_table(SHIPPED_TABLE).typfall


def test_cli_import_of_a_bad_file_fails_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    result = runner.invoke(app, ["fmb", "import", str(bad), "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 2
    assert "not JSON" in result.output
    assert "Traceback" not in result.output


def test_cli_info_shows_source_date_age_and_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INTYGSCHECK_FMB_TABLE", str(tmp_path / "absent.json"))
    result = runner.invoke(app, ["fmb", "info"])
    assert result.exit_code == 0, result.output
    assert "2019-06-18" in result.output
    assert "Ålder:" in result.output and " år" in result.output
    assert re.search(r"Typfall utan siffra:\s+81", result.output)
    assert re.search(r"Diagnoskoder:\s+303", result.output)
    english = runner.invoke(app, ["fmb", "info", "--lang", "en"])
    assert "Date of the data:" in english.output


def test_cli_lookup_shows_truncation_typfall_and_decisions() -> None:
    result = runner.invoke(app, ["fmb", "lookup", "F43.8A"])
    assert result.exit_code == 0, result.output
    assert "F438A → F438 (träff)" in result.output
    assert "typfall 548: 12 månader (372 dagar)" in result.output
    assert "Beslut (webcert): maximum 372 dagar" in result.output
    nothing = runner.invoke(app, ["fmb", "lookup", "M54.3", "--mode", "webcert"])
    assert nothing.exit_code == 0
    assert "M543 → M54: ingen FMB-data" in nothing.output


def test_cli_lookup_rejects_an_unknown_mode() -> None:
    result = runner.invoke(app, ["fmb", "lookup", "M545", "--mode", "generous"])
    assert result.exit_code == 2
