"""CDS Hooks 2.0: the discovery document and the cards made from a check's findings.

**Hook.** No standard hook fits a certificate about to be signed: ``order-sign`` carries
``draftOrders`` (MedicationRequest, ServiceRequest, ...), and an FK 7804 certificate is a
QuestionnaireResponse, not an order. CDS Hooks requires an organisation's own hook to be
named in reverse domain notation, so the service listens to ``se.intygscheck.fk7804-sign``
(configurable). Its context is ``userId``, ``patientId`` and ``draftCertificate`` (a FHIR
Bundle holding the QuestionnaireResponse with its Patient and author, or a bare
QuestionnaireResponse, whose subject then resolves to the prefetched ``patient``). A client
that can only send ``order-sign`` may put that Bundle in ``context.draftOrders`` instead.

**Prefetch.** ``previousCertificates`` asks the client for the patient's earlier FK 7804
QuestionnaireResponses (with their Patient, author and organisations, ``_include``d, so the
care unit is known: sjukfall chain within a unit), which become the sjukfall context (FMB
totals count the whole sjukfall). The service never calls the client's FHIR server itself.

**Cards.** One card per FK question id (the first id a finding names, to its whole number:
``17.1`` → ``17``). A question id is what Försäkringskassan names in a completion request and
what a journal can highlight as one field, so a card tells the doctor which field to fix; a
card per rule category would mix fields (17 and 35 are both "komplettering").
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..engine import Finding, Result
from ..errors import Position
from ..ingest.fhir_mapping import QUESTIONNAIRE_URL
from ..model import Certificate
from .errors import ServiceError
from .inputs import read_item

log = logging.getLogger("intygscheck.service")

CARD_NAMESPACE = uuid.UUID("3f1d6c2e-7a54-4f4e-9a61-5b0c2d8e9f10")
"""Card uuids are ``uuid5(CARD_NAMESPACE, hookInstance + question)``: stable for one hook call."""

RULE_SYSTEM = "urn:intygscheck:rule"
"""``Coding.system`` of a card's ``source.topic``: the code is the rule id."""

SUMMARY_LIMIT = 140
GENERAL = "övrigt"

QUESTION_NAMES: dict[str, str] = {
    "1": "intyget är baserat på",
    "6": "diagnos",
    "17": "aktivitetsbegränsning",
    "19": "pågående behandling",
    "20": "planerad behandling",
    "25": "övriga upplysningar",
    "26": "kontakt med Försäkringskassan",
    "27": "smittbärarpenning",
    "28": "sysselsättning",
    "29": "yrke och arbetsuppgifter",
    "32": "nedsättning av arbetsförmåga",
    "33": "arbetstidsförläggning",
    "34": "resor till och från arbetet",
    "35": "funktionsnedsättning",
    "37": "motivering till längre sjukskrivning än FMB",
    "39": "prognos",
    "40": "arbetslivsinriktade åtgärder",
    "44": "åtgärder, beskrivning",
}
"""Swedish names of the FK 7804 questions, for card summaries."""

SEVERITY_SV = {"error": "Fel", "warning": "Varning", "info": "Information"}
INDICATOR = {"error": "critical", "warning": "warning", "info": "info"}
_RANK = {"error": 0, "warning": 1, "info": 2}


def discovery(service_id: str, hook: str) -> dict[str, Any]:
    """The ``GET /cds-services`` document."""
    return {
        "services": [
            {
                "hook": hook,
                "id": service_id,
                "title": "intygscheck: kvalitetskontroll av läkarintyg för sjukpenning (FK 7804)",
                "description": (
                    "Granskar ett utkast till FK 7804 innan det signeras och visar, per fråga, vad "
                    "Försäkringskassan troligen begär komplettering om, FMB-överskridanden utan motivering "
                    "och strukturfel. [Checks a draft FK 7804 certificate before signing.]"
                ),
                "prefetch": {
                    "patient": "Patient/{{context.patientId}}",
                    "previousCertificates": (
                        "QuestionnaireResponse?subject=Patient/{{context.patientId}}"
                        f"&questionnaire={QUESTIONNAIRE_URL}&status=completed&_sort=-authored&_count=20"
                        "&_include=QuestionnaireResponse:subject&_include=QuestionnaireResponse:author"
                        "&_include:iterate=PractitionerRole:practitioner"
                        "&_include:iterate=PractitionerRole:organization&_include:iterate=Organization:partof"
                    ),
                },
                "usageRequirements": (
                    "context.draftCertificate: FHIR R4 QuestionnaireResponse (FK 7804) or a Bundle "
                    "holding one; prefetch.previousCertificates (optional): the patient's earlier "
                    "certificates, for the sjukfall."
                ),
            }
        ]
    }


class CdsHookRequest(BaseModel):
    """The body of a CDS Hooks 2.0 service call (fields the service does not use are allowed)."""

    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


@dataclass(frozen=True)
class HookInput:
    """What a hook call gives the check: the draft, its label in errors, earlier certificates."""

    hook_instance: str
    draft: Any
    draft_label: str
    previous: tuple[tuple[str, Any], ...]


def read_hook_request(document: Any, max_context: int) -> HookInput:
    """The draft certificate and earlier certificates of a hook call; 400 if malformed, 412 if no draft."""
    try:
        request = CdsHookRequest.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        raise ServiceError(
            400,
            "invalid_input",
            f"Ogiltigt CDS Hooks-anrop: {first['msg']}.",
            f"Invalid CDS Hooks request: {first['msg']}.",
            Position(path=path or None),
        ) from None
    prefetch = request.prefetch or {}
    for label, value in (
        ("context.draftCertificate", request.context.get("draftCertificate")),
        ("prefetch.draftCertificate", prefetch.get("draftCertificate")),
        ("context.draftOrders", request.context.get("draftOrders")),
    ):
        if value is not None:
            draft, draft_label = value, label
            break
    else:
        raise ServiceError(
            412,
            "precondition_failed",
            "Inget intygsutkast i context.draftCertificate (eller prefetch.draftCertificate).",
            "No draft certificate in context.draftCertificate (or prefetch.draftCertificate).",
        )
    patient = prefetch.get("patient")
    if _kind(draft) == "QuestionnaireResponse" and _kind(patient) == "Patient":
        # A bare draft refers to the patient by id; the prefetched Patient lets that resolve.
        draft = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": draft}, {"resource": patient}],
        }
    return HookInput(request.hookInstance, draft, draft_label, _previous(prefetch, max_context))


def _kind(value: Any) -> Any:
    """The ``resourceType`` of a JSON object (None for anything else)."""
    return value.get("resourceType") if isinstance(value, dict) else None


def _previous(prefetch: Mapping[str, Any], max_context: int) -> tuple[tuple[str, Any], ...]:
    """The certificates in ``prefetch.previousCertificates`` (a searchset Bundle), in its order, capped.

    An entry may be a certificate Bundle, or a QuestionnaireResponse whose Patient, author and
    organisations came along in the same searchset (``_include``): each such response is read
    as a Bundle of itself and those resources, so its references resolve.
    """
    bundle = prefetch.get("previousCertificates")
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    if not isinstance(entries, list):
        return ()
    typed = [
        (index, entry, entry["resource"].get("resourceType"))
        for index, entry in enumerate(entries)
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
    ]
    included = [entry for _, entry, kind in typed if kind not in ("QuestionnaireResponse", "Bundle")]
    found: list[tuple[str, Any]] = []
    for index, entry, kind in typed:
        label = f"prefetch.previousCertificates.entry[{index}]"
        if kind == "Bundle":
            found.append((label, entry["resource"]))
        elif kind == "QuestionnaireResponse":
            found.append(
                (label, {"resourceType": "Bundle", "type": "collection", "entry": [entry, *included]})
            )
    return tuple(found[:max_context])


def read_context(previous: Iterable[tuple[str, Any]]) -> list[Certificate]:
    """Read the earlier certificates; one that cannot be read is left out of the sjukfall, not fatal."""
    certificates: list[Certificate] = []
    skipped = 0
    for label, resource in previous:
        try:
            certificates.append(read_item(resource, label))
        except ServiceError:
            skipped += 1
    if skipped:
        log.warning("left %d unreadable earlier certificate(s) out of the sjukfall", skipped)
    return certificates


def severity_text(value: Any) -> str:
    """``"error"``, ``"warning"`` or ``"info"`` from a severity enum or string."""
    return str(getattr(value, "value", value)).lower()


def question_group(finding: Finding) -> str:
    """The card a finding belongs on: its first FK question id, to the whole number."""
    for question in finding.questions:
        head = str(question).split(".", 1)[0].strip()
        if head:
            return head
    return GENERAL


def cards(result: Result, hook_instance: str) -> list[dict[str, Any]]:
    """One card per question group of ``result``'s findings: most severe first, then question order."""
    versions = {ref.name: ref.version for ref in result.rulesets}
    groups: dict[str, list[Finding]] = {}
    for finding in result.findings:
        groups.setdefault(question_group(finding), []).append(finding)
    ordered = sorted(
        groups.items(),
        key=lambda item: (
            min(_RANK.get(severity_text(f.severity), 3) for f in item[1]),
            _question_order(item[0]),
        ),
    )
    return [_card(group, findings, versions, hook_instance) for group, findings in ordered]


def _question_order(group: str) -> tuple[int, str]:
    """Questions in numeric order, the general group last."""
    return (int(group), "") if group.isdigit() else (10_000, group)


def _card(
    group: str, findings: list[Finding], versions: Mapping[str, str], hook_instance: str
) -> dict[str, Any]:
    """The card for one question's findings."""
    ordered = sorted(findings, key=lambda f: _RANK.get(severity_text(f.severity), 3))
    top = ordered[0]
    return {
        "uuid": str(uuid.uuid5(CARD_NAMESPACE, f"{hook_instance}|{group}")),
        "summary": _summary(group, top.title or top.message("sv"), len(ordered)),
        "indicator": INDICATOR.get(severity_text(top.severity), "info"),
        "detail": _detail(group, ordered),
        "source": _source(top, ordered, versions),
    }


def _summary(group: str, title: str, count: int) -> str:
    """``Fråga 17 (aktivitetsbegränsning): <title> (+1 till)``, cut to under 140 characters."""
    where = "Övrigt" if group == GENERAL else f"Fråga {group}"
    name = QUESTION_NAMES.get(group)
    head = f"{where} ({name})" if name else where
    more = f" (+{count - 1} till)" if count > 1 else ""
    text = f"{head}: {' '.join(title.split())}{more}"
    if len(text) >= SUMMARY_LIMIT:
        room = SUMMARY_LIMIT - 2 - len(more)
        text = text[: len(text) - len(more)][:room].rstrip() + "…" + more
    return text


def _detail(group: str, findings: list[Finding]) -> str:
    """Markdown: one bullet per finding with its severity, rule, FK questions, message and references."""
    where = "Övriga anmärkningar" if group == GENERAL else f"Fråga {group}"
    name = QUESTION_NAMES.get(group)
    lines = [f"**{where}{f' – {name}' if name else ''}**", ""]
    for finding in findings:
        severity = severity_text(finding.severity)
        questions = ", ".join(str(q) for q in finding.questions) or "–"
        lines.append(
            f"- **{SEVERITY_SV.get(severity, severity)}** `{finding.rule}` (FK-fråga {questions}): "
            f"{_escape(finding.message('sv'))}"
        )
        lines.extend(f"  - Källa: {_escape(reference)}" for reference in finding.references)
    return "\n".join(lines)


def _source(top: Finding, findings: list[Finding], versions: Mapping[str, str]) -> dict[str, Any]:
    """``source``: the ruleset(s) with version as the label, the most severe rule as the topic."""
    labels: list[str] = []
    for finding in findings:
        label = f"{finding.ruleset} {versions.get(finding.ruleset, '')}".strip()
        if label not in labels:
            labels.append(label)
    source: dict[str, Any] = {
        "label": f"intygscheck: {', '.join(labels)}",
        "topic": {"system": RULE_SYSTEM, "code": top.rule, "display": top.title or top.rule},
    }
    url = next((ref for ref in top.references if ref.startswith(("https://", "http://"))), None)
    if url:
        source["url"] = url
    return source


def _escape(text: str) -> str:
    """Text safe inside one markdown bullet: no line breaks, no stray markup characters."""
    flat = " ".join(text.split())
    for char in ("\\", "*", "_", "`", "[", "]", "<", ">", "#"):
        flat = flat.replace(char, "\\" + char)
    return flat


__all__ = [
    "GENERAL",
    "INDICATOR",
    "QUESTION_NAMES",
    "RULE_SYSTEM",
    "SUMMARY_LIMIT",
    "CdsHookRequest",
    "HookInput",
    "cards",
    "discovery",
    "question_group",
    "read_context",
    "read_hook_request",
    "severity_text",
]
