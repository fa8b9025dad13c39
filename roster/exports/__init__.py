"""HR exports of a finished roster (``roster export``; file schemas in docs/exports.md).

One module per job, each a pure function from a priced roster (with config and staff) to
file contents: :mod:`~roster.exports.tables` (``csv-long``, ``csv-grid``, hours per
person), :mod:`~roster.exports.workbook` (``xlsx``, openpyxl), :mod:`~roster.exports.calendar`
(``ics``, icalendar), and ``payroll`` through :mod:`roster.evaluate.payroll`.
:mod:`~roster.exports.source` reads and checks the roster.csv an export starts from,
:mod:`~roster.exports.formats` says which files each format makes, and
:mod:`~roster.exports.cells` is the formula-injection guard every CSV and XLSX writer of
the tool uses.  Files are written as a set by :func:`roster.io.writers.write_set`.
"""
