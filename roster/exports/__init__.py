"""HR exports of a finished roster (home of issue "HR: schedules in the formats HR,
payroll and staff calendars take"): Excel grids and workbooks, payroll tables and
iCalendar files, each a function from a priced roster to file contents, written through
:mod:`roster.io.writers`.  Nothing lives here yet; ``roster.csv`` itself is written by
the pipeline."""
