"""From forecast calls to staff: Erlang C/A (:mod:`.erlang`), staff needed per district,
hour and role (:mod:`.requirements`), and the discrete-event simulation of what a
roster delivers (:mod:`.simulate`).  No I/O beyond the per-shift requirements reader."""
