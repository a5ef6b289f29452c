"""Names shared by the RIVTA reader and writer: namespaces, tags, OIDs and code systems.

Facts from Inera's public RIVTA schemas (``RegisterCertificateResponder_3.1.xsd`` and the
``clinicalprocess_healthcond_certificate`` core components), not code.
"""

from __future__ import annotations

from ..model import RelationKind

RESPONDER_NS = "urn:riv:clinicalprocess:healthcond:certificate:RegisterCertificateResponder:3"
"""Namespace of ``RegisterCertificate`` and its ``intyg`` child."""
CORE_NS = "urn:riv:clinicalprocess:healthcond:certificate:3"
"""Namespace of the certificate's own elements (``svar``, ``delsvar``, ``patient`` ...)."""
TYPES_NS = "urn:riv:clinicalprocess:healthcond:certificate:types:3"
"""Namespace of value types (``cv``, ``datePeriod``, ``root``/``extension``)."""
PREFILL_NS = "urn:riv:clinicalprocess:healthcond:certificate:3.3"
"""Namespace of the FK 7804 v2 prefill document (``forifyllnad``) and its ``svar``."""

REGISTER_CERTIFICATE = f"{{{RESPONDER_NS}}}RegisterCertificate"
INTYG = f"{{{RESPONDER_NS}}}intyg"
FORIFYLLNAD = f"{{{PREFILL_NS}}}forifyllnad"


def core(name: str) -> str:
    """Clark notation of a core element, e.g. ``core("svar")``."""
    return f"{{{CORE_NS}}}{name}"


def types(name: str) -> str:
    """Clark notation of a types element, e.g. ``types("cv")``."""
    return f"{{{TYPES_NS}}}{name}"


SVAR_TAGS = frozenset({core("svar"), f"{{{PREFILL_NS}}}svar"})
"""``svar`` is in the core namespace in RegisterCertificate, in 3.3 in the prefill document."""

PERSONNUMMER_ROOT = "1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER_ROOT = "1.2.752.129.2.1.3.3"
HSA_ROOT = "1.2.752.129.2.1.4.1"
ARBETSPLATSKOD_ROOT = "1.2.752.29.4.71"
INTYGSTYP_CODE_SYSTEM = "b64ea353-e8f6-4832-b563-fc7d46f29548"
RELATION_CODE_SYSTEM = "c2362fcd-eda0-4f9a-bd13-b3bbaf7f2146"

RELATION_CODES: dict[str, RelationKind] = {
    "ERSATT": RelationKind.REPLACES,
    "KOMPLT": RelationKind.COMPLETES,
}
"""Relation types the model keeps (KV_RELATION)."""
IGNORED_RELATION_CODES = frozenset({"FRLANG", "KOPIA"})
"""Relation types that are valid in transport but have no place in the model (renewal, copy)."""

CODE_SYSTEMS: dict[str, str] = {
    "1": "KV_FKMU_0001",
    "28": "KV_FKMU_0002",
    "32": "KV_FKMU_0003",
    "40": "KV_FKMU_0004",
    "39": "KV_FKMU_0006",
    "39.3": "KV_FKMU_0007",
}
"""The FK code list each coded answer uses (by question id, or delsvar id for 39.3)."""
