"""What a finished roster costs and why: pay with overtime (:mod:`.pay`), per-person and
per-penalty explanations (:mod:`.explain`), and ``roster check`` (:mod:`.check`)."""
