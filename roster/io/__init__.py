"""The edges where files are read and written: input readers (:mod:`.readers`), the
output file schemas (:mod:`.schemas`) and atomic writers (:mod:`.writers`).  Nothing
else in ``roster/`` opens a file."""
