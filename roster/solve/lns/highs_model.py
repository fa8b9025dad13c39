"""The roster model held in one HiGHS instance, and the solves of cut-out pieces from it."""

from __future__ import annotations

import numpy as np

from constraints.base import ModelContext
from roster.solve.lns.submip import SubMip

HAS_SOLUTION = ("Optimal", "Time limit reached", "Interrupted by user", "Node limit reached",
                "Iteration limit reached", "Solution limit reached")


class HighsModel:
    """A thin wrapper over one ``highspy.Highs`` holding the model."""

    def __init__(self, m: ModelContext, *, threads: int, seed: int):
        import highspy

        from roster.solve.highs import BulkHiGHS, _stdout_silenced, highs_lp

        BulkHiGHS.use_threads(threads)
        self.hs = highspy
        with _stdout_silenced(True):  # highspy's banner, printed before any option can silence it
            self.h = highspy.Highs()
        self.threads, self.seed = threads, seed
        self.h.setOptionValue("output_flag", False)
        self.variables = m.prob.variables()
        model = highs_lp(m.prob, variables=self.variables)
        self.row_start = np.asarray(model.a_matrix_.start_, dtype=np.int64)
        self.row_index = np.asarray(model.a_matrix_.index_, dtype=np.int64)
        self.lower = np.asarray(model.col_lower_, dtype=float).copy()
        self.upper = np.asarray(model.col_upper_, dtype=float).copy()
        self.cost = np.asarray(model.col_cost_, dtype=float).copy()
        self.offset = float(model.offset_)
        self.lp = model
        self.h.passModel(model)

    def objective(self, values: np.ndarray) -> float:
        return float(self.cost @ values + self.offset)

    def set_costs(self, cost: np.ndarray) -> None:
        idx = np.arange(len(cost), dtype=np.int32)
        self.h.changeColsCost(len(cost), idx, cost.astype(float))

    def set_bounds(self, idx: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        if len(idx):
            self.h.changeColsBounds(len(idx), idx.astype(np.int32), lower.astype(float), upper.astype(float))

    def configure(self, h, time_limit: float, gap: float, abs_gap: float) -> None:
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", int(self.threads))
        h.setOptionValue("random_seed", int(self.seed))
        h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("mip_abs_gap", float(abs_gap))

    def run_piece(self, piece, start: np.ndarray, time_limit: float, gap: float,
                  abs_gap: float = 1e-6, watch=None, threads: int | None = None) -> tuple[str, np.ndarray | None]:
        """Solve one cut-out neighbourhood (:mod:`roster.solve.lns.submip`) from ``start`` (full-model values);
        returns (model status text, full-model values with the piece's columns replaced).
        ``watch``: a branch-and-bound interrupt callback (skipped where highspy has none).
        ``threads``: HiGHS threads for this piece (default the search's); safe to call from
        several Python threads at once, each with its own piece (HiGHS releases the GIL and
        keeps a scheduler per calling thread)."""
        h = self.hs.Highs()
        self.configure(h, time_limit, gap, abs_gap)
        if threads is not None:
            h.setOptionValue("threads", int(threads))
        # No restart of branch and bound after the root: a restart presolves the piece again
        # with what the root fixed and solves a new root, and pieces are small MIPs solved many
        # times over, where that seldom pays for itself.
        h.setOptionValue("mip_allow_restart", False)
        if watch is not None and hasattr(h, "cbMipInterrupt"):
            h.cbMipInterrupt.subscribe(watch)
        h.passModel(piece.model)
        sol = self.hs.HighsSolution()
        sol.col_value = list(start[piece.columns])
        sol.value_valid = True
        h.setSolution(sol)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        has = status in HAS_SOLUTION and int(h.getInfo().primal_solution_status) == 2
        if not has:
            return status, None
        values = start.copy()
        values[piece.columns] = np.asarray(h.getSolution().col_value, dtype=float)
        return status, values

    def run(self, start: np.ndarray | None, time_limit: float, gap: float,
            abs_gap: float = 1e-6) -> tuple[str, np.ndarray | None, float | None, float | None]:
        """One solve from ``start``; returns (model status text, column values, objective, bound)."""
        self.configure(self.h, time_limit, gap, abs_gap)
        if start is not None:
            sol = self.hs.HighsSolution()
            sol.col_value = list(start)
            sol.value_valid = True
            self.h.setSolution(sol)
        self.h.run()
        status = self.h.modelStatusToString(self.h.getModelStatus())
        info = self.h.getInfo()
        has = status in HAS_SOLUTION and int(info.primal_solution_status) == 2
        if not has:
            return status, None, None, None
        values = np.asarray(self.h.getSolution().col_value, dtype=float)
        return status, values, float(info.objective_function_value), float(info.mip_dual_bound)


def rebase(hw: HighsModel, cutter: SubMip, x_idx: np.ndarray, incumbent: np.ndarray, free: np.ndarray,
           values: np.ndarray, upper: np.ndarray, cost: np.ndarray, limit: float,
           base: np.ndarray | None = None) -> np.ndarray | None:
    """A piece's roster (``values``, solved from an older incumbent) carried over to
    ``incumbent``, which other pieces solved beside it have moved on: its ``free`` assignments
    put into the incumbent, and the auxiliary columns of every component they touch (cover
    shortfalls, the rules' slacks and, when ``cutter`` carries them, its people's implied
    columns) made the cheapest for the result, the roster fixed -- a small solve.  Rows
    outside those components see no changed column and still hold, so the result is a roster
    of the full model.  None when the two rosters do not fit together (a rule the piece and
    the newer roster share would break).

    ``base``, the roster the piece was cut from: then only the assignments the piece changed
    from it are put in (a three-way merge), so the newer roster's own changes inside the
    piece's neighbourhood stay where the piece left those assignments as they were.  Why: a
    day window frees everyone over some days; put in whole, it would set back what a piece of
    whole people, landed meanwhile, changed on those days, and those people's rules (hours
    over the horizon, runs) would then break across the window's edge."""
    merged = incumbent.copy()
    cols = x_idx[free]
    if base is not None:
        cols = cols[np.round(values[cols]) != np.round(base[cols])]
        if not len(cols):
            return None  # the piece changed no assignment: nothing of its own to carry over
    merged[cols] = values[cols]
    piece = cutter.piece(cols, merged, hw.lower, upper, cost, fix_cut=True)
    status, settled = hw.run_piece(piece, merged, limit, 0.0)
    return settled if status == "Optimal" else None
