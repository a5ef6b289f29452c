"""Population statistics over many certificates: gender equality and quality indicators.

Needs the ``stats`` extra (polars, numpy, statsmodels). Everything works on the
per-certificate table (:mod:`.schema`), which the batch runner fills from checked certificates
and :func:`certificate_table` fills straight from a tabular extract.
"""

from .equality import EqualityConfig, EqualityResult, compare_sexes, load_equality_config, write_equality
from .extract_table import case_table, certificate_table
from .indicators import indicators, write_indicators
from .schema import CERTIFICATE_TABLE_SCHEMA, conform
from .sjukfall_columnar import chain_sjukfall

__all__ = [
    "CERTIFICATE_TABLE_SCHEMA",
    "EqualityConfig",
    "EqualityResult",
    "case_table",
    "certificate_table",
    "chain_sjukfall",
    "compare_sexes",
    "conform",
    "indicators",
    "load_equality_config",
    "write_equality",
    "write_indicators",
]
