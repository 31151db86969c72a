"""Agency chronologies (CSV, XLSX or a Word table) read into a preview; templates and exports.

One module a concern, every name re-exported here: ``model`` (the columns, limits and the
rows, preview and errors as dataclasses), ``files`` (:func:`read_table`), ``preview``
(:func:`build_preview`) and ``exports`` (:func:`template_bytes`, :func:`export_csv`,
:func:`export_xlsx`).
"""

from __future__ import annotations

from analysis.chronology.importing.exports import (
    export_csv,
    export_xlsx,
    neutralise,
    template_bytes,
)
from analysis.chronology.importing.files import read_table
from analysis.chronology.importing.model import (
    APPRAISALS,
    COLUMNS,
    EXAMPLE_MARKER,
    FIELD_LABELS,
    FIELDS,
    MAX_COMPRESSION_RATIO,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    REF_PATTERN,
    ColumnMapping,
    Duplicate,
    ExistingEvent,
    ImportContext,
    ImportPreview,
    ImportRefusedError,
    ImportRow,
    RawRow,
    RawTable,
    RowError,
    RowFix,
    fold,
)
from analysis.chronology.importing.preview import (
    COLUMN_ALIASES,
    DUPLICATE_SIMILARITY,
    build_preview,
    guess_field,
    map_columns,
)

__all__ = [
    "APPRAISALS",
    "COLUMNS",
    "COLUMN_ALIASES",
    "DUPLICATE_SIMILARITY",
    "EXAMPLE_MARKER",
    "FIELDS",
    "FIELD_LABELS",
    "MAX_COMPRESSION_RATIO",
    "MAX_DATA_ROWS",
    "MAX_FILE_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_MEMBERS",
    "REF_PATTERN",
    "ColumnMapping",
    "Duplicate",
    "ExistingEvent",
    "ImportContext",
    "ImportPreview",
    "ImportRefusedError",
    "ImportRow",
    "RawRow",
    "RawTable",
    "RowError",
    "RowFix",
    "build_preview",
    "export_csv",
    "export_xlsx",
    "fold",
    "guess_field",
    "map_columns",
    "neutralise",
    "read_table",
    "template_bytes",
]
