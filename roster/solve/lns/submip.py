"""Cut one neighbourhood out of a large MIP as a small MIP of its own.

Why.  The fix-and-optimise search (:mod:`roster.solve.lns.search`) re-solves a small part of
a roster with the rest fixed.  Fixing columns by their bounds and solving the
whole model leaves HiGHS to presolve *every* row and column again for each
part, which on large models costs more than solving the part itself, and on
the largest the whole time budget.  Here the part is cut out once, with numpy
and scipy, as a model whose size is that of the neighbourhood:
its free assignment columns, the auxiliary columns tied to them (cover
shortfalls, run-flow arcs, per-person slacks, ...) and the rows those touch,
with the fixed columns' contributions moved into the row bounds.

Which auxiliary columns belong to a neighbourhood is decided once, by the
connected components of the graph whose nodes are the rows and the *auxiliary*
columns (assignment columns are left out of the graph: they are where a
neighbourhood is cut).  A neighbourhood takes every component that one of its
free assignment columns touches -- all of the component's rows and auxiliary
columns -- and nothing else.  Everything outside stays at the incumbent's
values, and every row outside touches only fixed columns, so it stays satisfied.
The cut-out model is therefore exactly the full model with the other columns
fixed: any roster it returns is a roster of the full model.  It is also the
full model with only the other *assignment* columns fixed as long as the
incumbent's auxiliary columns are already the cheapest for its roster -- true
after any solve with the same objective; when the search changes its objective
(a repair that minimises the bends alone) it settles them once afterwards.

Extended formulations are left out.  The run-rule network flow
(:func:`constraints.sequences.add_run_flow`) tightens the LP relaxation of the
whole model, but it multiplies a person's columns by ten and makes the small
MIPs many times slower to solve.  Its columns follow from the assignment (any
roster that keeps the run rules has a path through the flow), so pieces may
leave them out together with their rows; their values are then stale until
the caller settles them with the roster fixed (:meth:`SubMip.settling_piece`),
and only then is a piece's roster with its columns a solution of the full model.  A search may still want
the flow's tight LP relaxation in some pieces: :meth:`SubMip.carrying_left_out`
gives the same cutter with nothing left out, and ``piece(..., fix_cut=True)``
settles the flow of just the people a piece will free.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


@dataclass
class Piece:
    """One neighbourhood as a model of its own (``columns`` index the full model)."""

    model: object  # highspy.HighsLp
    columns: np.ndarray


class SubMip:
    """The full model's matrix and its auxiliary-column components, ready to cut pieces from.

    ``lp`` is the ``highspy.HighsLp`` of :func:`roster.solve.highs.highs_lp` (row-wise);
    ``cut_columns`` are the assignment columns, the ones a neighbourhood frees or fixes.
    ``left_out`` are columns of an extended formulation whose values follow from the
    assignment (``ModelContext.implied``): pieces leave them and every row that uses
    them out, so their values in a piece's result are stale until settled.
    """

    def __init__(self, lp, cut_columns: np.ndarray, left_out: np.ndarray | None = None):
        n, m = int(lp.num_col_), int(lp.num_row_)
        self.n_cols, self.n_rows = n, m
        start = np.asarray(lp.a_matrix_.start_, dtype=np.int64)
        index = np.asarray(lp.a_matrix_.index_, dtype=np.int64)
        value = np.asarray(lp.a_matrix_.value_, dtype=float)
        self.A = sp.csr_matrix((value, index, start), shape=(m, n))
        self.A_cols = self.A.tocsc()
        # 0/1 pattern, rows x columns and columns x rows, for spreading penalties over rows.
        self.pattern = self.A.copy()
        self.pattern.data = np.ones_like(self.pattern.data)
        self.pattern_t = self.pattern.T.tocsr()
        self.row_lower = np.asarray(lp.row_lower_, dtype=float)
        self.row_upper = np.asarray(lp.row_upper_, dtype=float)
        integrality = list(lp.integrality_) if len(lp.integrality_) else []
        self.integer = np.array([int(t) != 0 for t in integrality], dtype=bool) if integrality else np.zeros(n, bool)
        self.is_cut = np.zeros(n, dtype=bool)
        self.is_cut[cut_columns] = True
        self._components(left_out)

    def carrying_left_out(self) -> "SubMip":
        """The same model cut with nothing left out: its pieces carry the extended formulation
        (slower sub-MIPs, but with its tight LP relaxation).  Shares this one's matrices."""
        other = copy.copy(self)
        other._components(None)
        return other

    def _components(self, left_out: np.ndarray | None) -> None:
        n, m = self.n_cols, self.n_rows
        is_out = np.zeros(n, dtype=bool)
        if left_out is not None:
            is_out[np.asarray(left_out, dtype=np.int64)] = True
        self.left_out = np.flatnonzero(is_out)
        # Rows that use a left-out column are never part of a piece.
        self.row_kept = np.asarray(self.A_cols[:, np.flatnonzero(is_out)].getnnz(axis=1) == 0).ravel() \
            if is_out.any() else np.ones(m, dtype=bool)
        aux = np.flatnonzero(~self.is_cut & ~is_out)
        dropped = self.A[np.flatnonzero(~self.row_kept)]
        if dropped.nnz and not (self.is_cut | is_out)[dropped.indices].all():
            raise ValueError("a row of the left-out columns also uses other auxiliary columns; "
                             "left-out columns must be linked to the assignment columns only")
        # Bipartite graph rows + auxiliary columns; its components are the units a piece takes whole.
        pattern = self.A_cols[:, aux].tocsr()
        pattern.data = np.ones_like(pattern.data)
        k = len(aux)
        graph = sp.bmat([[None, pattern], [pattern.T, None]], format="csr", dtype=float) if k else sp.csr_matrix((m, m))
        if m + k:
            _, labels = connected_components(graph, directed=False)
        else:
            labels = np.zeros(0, dtype=np.int64)
        self.row_comp = np.where(self.row_kept, labels[:m], -1)
        self.col_comp = np.full(n, -1, dtype=np.int64)
        self.col_comp[aux] = labels[m:]
        self.n_comp = int(labels.max()) + 1 if len(labels) else 0

    def piece(self, free_columns: np.ndarray, values: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              cost: np.ndarray, *, fix_cut: bool = False) -> Piece:
        """The model over ``free_columns`` (cut columns, indices of the full model), everything else
        fixed at ``values``; ``lower``/``upper``/``cost`` are the full model's current column data.

        ``fix_cut``: keep ``free_columns`` at ``values`` too and free only the auxiliary columns
        of the components they touch -- to make those agree with the roster (e.g. a person's
        flow path after pieces that left the flow out) before that roster is a start."""
        free_columns = np.asarray(free_columns, dtype=np.int64)
        touched = np.unique(self.A_cols[:, free_columns].indices) if len(free_columns) else np.zeros(0, np.int64)
        comp_in = np.zeros(self.n_comp, dtype=bool)
        touched_comp = self.row_comp[touched]
        comp_in[touched_comp[touched_comp >= 0]] = True
        rows = np.flatnonzero((self.row_comp >= 0) & comp_in[np.maximum(self.row_comp, 0)])
        aux_in = np.flatnonzero((self.col_comp >= 0) & comp_in[np.maximum(self.col_comp, 0)])
        return self._model(rows, aux_in if fix_cut else np.union1d(free_columns, aux_in), values, lower, upper, cost)

    def settling_piece(self, values: np.ndarray, lower: np.ndarray, upper: np.ndarray, cost: np.ndarray) -> Piece:
        """The left-out columns and their rows alone, everything else fixed at ``values``: solving
        it gives the left-out columns their values for that roster (for the flow, one path per
        person), without a presolve of the whole model."""
        return self._model(np.flatnonzero(~self.row_kept), self.left_out, values, lower, upper, cost)

    def _model(self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, lower: np.ndarray,
               upper: np.ndarray, cost: np.ndarray) -> Piece:
        import highspy

        inside = np.zeros(self.n_cols, dtype=bool)
        inside[columns] = True
        fixed = np.where(inside, 0.0, values)
        rows_A = self.A[rows]
        moved = rows_A @ fixed
        sub = rows_A[:, columns].tocsr()
        inf = highspy.kHighsInf
        lo_r = self.row_lower[rows]
        up_r = self.row_upper[rows]
        lo_r = np.where(np.isfinite(lo_r) & (lo_r > -inf), lo_r - moved, -inf)
        up_r = np.where(np.isfinite(up_r) & (up_r < inf), up_r - moved, inf)

        model = highspy.HighsLp()
        model.num_col_ = len(columns)
        model.num_row_ = len(rows)
        model.col_cost_ = np.ascontiguousarray(cost[columns], dtype=float)
        model.col_lower_ = np.ascontiguousarray(lower[columns], dtype=float)
        model.col_upper_ = np.ascontiguousarray(upper[columns], dtype=float)
        model.row_lower_ = np.ascontiguousarray(lo_r, dtype=float)
        model.row_upper_ = np.ascontiguousarray(up_r, dtype=float)
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_ = len(columns)
        model.a_matrix_.num_row_ = len(rows)
        model.a_matrix_.start_ = sub.indptr.astype(np.int32)
        model.a_matrix_.index_ = sub.indices.astype(np.int32)
        model.a_matrix_.value_ = sub.data.astype(float)
        integer = self.integer[columns]
        if integer.any():
            model.integrality_ = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
                                  for f in integer]
        return Piece(model, columns)
