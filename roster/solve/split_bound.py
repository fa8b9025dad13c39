"""A lower bound for a period's roster model from its weeks' LP relaxations (variable splitting).

The LP relaxation of a month-long model of a large city can take HiGHS longer than the whole
time limit, so branch and bound proves nothing.  Its weeks' LPs solve in seconds.  This module
cuts the model into blocks (one per week) so that the blocks' LP values add up to a proven lower
bound on the whole model:

- every column belongs to a block: an assignment by its date, any other column (shortfalls,
  overtime, the run rules' flow...) to the earliest block it shares a row with;
- a row whose columns lie in one block, or in two neighbouring blocks (a Sunday night shift that
  covers Monday morning, rest between weeks), is kept in its latest block; the columns of the
  other block it needs are copied into that block, at no cost (the column's own block pays it).
  A row over three or more blocks (e.g. hours over the whole period) is dropped.

The split model is the whole model with the equalities between a column and its copies, and the
dropped rows, left out: a relaxation, which falls apart into independent blocks.  So the sum of
the blocks' LP values (plus the objective's offset) is at most the LP value of the whole model,
and a proven lower bound on every roster.
"""

from __future__ import annotations

import time

import numpy as np

from roster.solve.rens import highs_instance


def column_blocks(starts: np.ndarray, index: np.ndarray, x_cols: np.ndarray, x_block: np.ndarray, n_cols: int) -> np.ndarray:
    """The block of every column: ``x_block`` for the assignments, for the others the earliest
    block of a row they share with a column already placed (repeated until none is left; a column
    in no row with a placed one goes to block 0)."""
    block = np.full(n_cols, -1, dtype=np.int64)
    block[x_cols] = x_block
    row_of = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    big = np.iinfo(np.int64).max
    for _ in range(8):
        b = block[index]
        row_min = np.full(len(starts) - 1, big)
        np.minimum.at(row_min, row_of[b >= 0], b[b >= 0])
        open_nz = (b < 0) & (row_min[row_of] < big)
        if not open_nz.any():
            break
        found = np.full(n_cols, big)
        np.minimum.at(found, index[open_nz], row_min[row_of[open_nz]])
        new = (block < 0) & (found < big)
        block[new] = found[new]
    block[block < 0] = 0
    return block


def _block_lp(lp, rows: np.ndarray, cols: np.ndarray, cost: np.ndarray):
    """The LP over columns ``cols`` (with costs ``cost``) and rows ``rows`` of ``lp`` (row-wise)."""
    import highspy

    starts, index, value = (np.asarray(a) for a in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
    local = np.full(lp.num_col_, -1, dtype=np.int64)
    local[cols] = np.arange(len(cols))
    nz = np.concatenate([np.arange(starts[r], starts[r + 1]) for r in rows]) if len(rows) else np.zeros(0, dtype=np.int64)
    counts = np.diff(starts)[rows]
    part = highspy.HighsLp()
    part.num_col_, part.num_row_ = len(cols), len(rows)
    part.col_cost_ = cost
    part.col_lower_ = np.asarray(lp.col_lower_)[cols]
    part.col_upper_ = np.asarray(lp.col_upper_)[cols]
    part.row_lower_ = np.asarray(lp.row_lower_)[rows]
    part.row_upper_ = np.asarray(lp.row_upper_)[rows]
    part.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    part.a_matrix_.num_col_, part.a_matrix_.num_row_ = len(cols), len(rows)
    part.a_matrix_.start_ = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    part.a_matrix_.index_ = local[index[nz]].astype(np.int32)
    part.a_matrix_.value_ = value[nz]
    return part


def split_bound(lp, x_cols: np.ndarray, blocks: np.ndarray, *, time_limit: float, threads: int = 2,
                seed: int = 7) -> float | None:
    """A proven lower bound on the objective of ``lp`` (the model as :func:`roster.solve.highs.highs_lp`
    gives it) from its blocks' LPs, or None when one does not solve within ``time_limit`` seconds.
    ``x_cols``: the assignment columns; ``blocks``: the block of each.  ``threads``: as every
    other HiGHS solve of the process uses (they share one thread pool)."""
    import highspy

    t0 = time.perf_counter()
    starts, index = np.asarray(lp.a_matrix_.start_), np.asarray(lp.a_matrix_.index_)
    block = column_blocks(starts, index, x_cols, np.asarray(blocks, dtype=np.int64), lp.num_col_)
    n_rows, n_blocks = len(starts) - 1, int(block.max()) + 1
    row_of = np.repeat(np.arange(n_rows), np.diff(starts))
    lo = np.full(n_rows, n_blocks)
    hi = np.full(n_rows, -1)
    np.minimum.at(lo, row_of, block[index])
    np.maximum.at(hi, row_of, block[index])
    home = np.where(hi < 0, 0, hi)
    kept = (hi - lo <= 1) | (hi < 0)
    members = [np.unique(np.concatenate([np.flatnonzero(block == b), index[np.isin(row_of, np.flatnonzero(kept & (home == b)))]]))
               for b in range(n_blocks)]
    cost = np.asarray(lp.col_cost_)
    total = float(lp.offset_)
    for b, cols in enumerate(members):
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0:
            return None
        h = highs_instance(threads, seed, left)
        h.passModel(_block_lp(lp, np.flatnonzero(kept & (home == b)), cols, np.where(block[cols] == b, cost[cols], 0.0)))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        total += float(h.getInfo().objective_function_value)
    return total


def week_blocks(m) -> np.ndarray:
    """Each assignment's week of the period (0 = the first), in ``m.assign`` order: the blocks of
    :func:`split_bound` for a period of several weeks."""
    monday = m.problem.monday
    return np.asarray([(d - monday).days // 7 for d in m.assign["date"]], dtype=np.int64)
