import logging

import pandas as pd
import pytest

from forecast.errors import ForecastInputError
from forecast.io import load_calls, load_hourly_counts

TZ = "America/New_York"


def _write(tmp_path, rows, name="calls.csv", header="timestamp,district,call_type"):
    p = tmp_path / name
    p.write_text(header + "\n" + "\n".join(rows) + "\n")
    return p


def _base_rows(start="2016-01-04", days=15):
    t0 = pd.Timestamp(start)
    return [f"{(t0 + pd.Timedelta(hours=7 * i)).isoformat(sep=' ')},north,mh" for i in range(days * 24 // 7)]


def test_loads_naive_local_and_offset(tmp_path):
    rows = _base_rows() + ["2016-01-10T12:00:00-05:00,south,mh", "2016-01-10T17:00:00Z,south,"]
    df = load_calls(_write(tmp_path, rows), TZ)
    assert list(df.columns) == ["timestamp", "district", "call_type"]
    assert str(df["timestamp"].dt.tz) == TZ
    south = df[df.district == "south"]["timestamp"].dt.tz_localize(None).tolist()
    assert south == [pd.Timestamp("2016-01-10 12:00"), pd.Timestamp("2016-01-10 12:00")]
    assert df["timestamp"].is_monotonic_increasing


def test_gzip_and_parquet_and_mapping(tmp_path):
    rows = _base_rows()
    p = tmp_path / "c.csv.gz"
    pd.DataFrame([r.split(",") for r in rows], columns=["when", "area", "kind"]).to_csv(p, index=False)
    df = load_calls(p, TZ, timestamp_col="when", district_col="area", call_type_col="kind")
    assert len(df) == len(rows)
    pq = tmp_path / "c.parquet"
    pd.read_csv(p).assign(when=lambda x: pd.to_datetime(x["when"])).to_parquet(pq)
    df2 = load_calls(pq, TZ, timestamp_col="when", district_col="area", call_type_col="kind")
    assert (df2["timestamp"].to_numpy() == df["timestamp"].to_numpy()).all()


def test_missing_file_and_column(tmp_path):
    with pytest.raises(ForecastInputError, match="does not exist"):
        load_calls(tmp_path / "nope.csv", TZ)
    p = _write(tmp_path, _base_rows())
    with pytest.raises(ForecastInputError, match="district_col") as e:
        load_calls(p, TZ, district_col="twp")
    assert "'twp'" in str(e.value)


def test_unparseable_timestamp_names_row(tmp_path):
    rows = _base_rows()
    rows[4] = "yesterday-ish,north,mh"
    with pytest.raises(ForecastInputError, match=r"Row 6 .*'yesterday-ish'"):
        load_calls(_write(tmp_path, rows), TZ)


def test_ambiguous_fall_back_resolved_first_with_warning(tmp_path, caplog):
    rows = _base_rows("2016-10-25") + ["2016-11-06 01:30:00,north,mh"]
    with caplog.at_level(logging.WARNING, logger="forecast"):
        df = load_calls(_write(tmp_path, rows), TZ)
    assert "1 naive timestamps fall in the repeated hour" in caplog.text
    ts = df[df.timestamp.dt.tz_localize(None) == pd.Timestamp("2016-11-06 01:30")]["timestamp"].iloc[0]
    assert ts.utcoffset() == pd.Timedelta(hours=-4)  # first occurrence (EDT)
    with pytest.raises(ForecastInputError, match="repeated"):
        load_calls(_write(tmp_path, rows), TZ, ambiguous="error")


def test_nonexistent_spring_forward_names_row(tmp_path):
    rows = _base_rows("2016-03-01") + ["2016-03-13 02:30:00,north,mh"]
    with pytest.raises(ForecastInputError, match=rf"Row {len(rows) + 1} .*does not exist"):
        load_calls(_write(tmp_path, rows), TZ)


def test_unknown_and_empty_districts(tmp_path):
    rows = _base_rows()
    rows[2] = rows[2].replace("north", "nowhere")
    with pytest.raises(ForecastInputError, match=r"Row 4 .*'nowhere'.*north, south"):
        load_calls(_write(tmp_path, rows), TZ, known_districts=["north", "south"])
    with pytest.raises(ForecastInputError, match="no calls at all.*'south'"):
        load_calls(_write(tmp_path, _base_rows()), TZ, known_districts=["north", "south"])


def test_short_history_future_and_duplicates(tmp_path, caplog):
    with pytest.raises(ForecastInputError, match="two weeks"):
        load_calls(_write(tmp_path, _base_rows(days=10)), TZ)
    rows = _base_rows() + ["2999-01-01 00:00:00,north,mh"]
    with pytest.raises(ForecastInputError, match="later than"):
        load_calls(_write(tmp_path, rows), TZ)
    rows = _base_rows()
    rows.append(rows[3])
    with caplog.at_level(logging.WARNING, logger="forecast"):
        df = load_calls(_write(tmp_path, rows), TZ)
    assert len(df) == len(rows) - 1
    assert "duplicate" in caplog.text


def test_call_type_filter(tmp_path):
    rows = _base_rows() + ["2016-01-05 03:00:00,north,fire"]
    df = load_calls(_write(tmp_path, rows), TZ, call_types=["fire", "mh"])
    assert len(df) == len(rows)
    df = load_calls(_write(tmp_path, rows), TZ, call_types=["mh"])
    assert len(df) == len(rows) - 1
    with pytest.raises(ForecastInputError, match="call_type_col"):
        load_calls(_write(tmp_path, rows, header="timestamp,district,kind"), TZ, call_types=["mh"])


def test_hourly_counts_file(tmp_path):
    hrs = pd.date_range("2016-01-04", periods=24 * 15, freq="h")
    lines = [f"{h.isoformat(sep=' ')},north,{i % 3}" for i, h in enumerate(hrs) if i != 5]
    p = _write(tmp_path, lines, header="hour_start,district,calls")
    df = load_hourly_counts(p, TZ)
    assert len(df) == 24 * 15 and df["calls"].dtype.kind == "i"
    assert df["calls"].iloc[5] == 0
    bad = list(lines)
    bad[3] = bad[3].rsplit(",", 1)[0] + ",-1"
    with pytest.raises(ForecastInputError, match="Row 5"):
        load_hourly_counts(_write(tmp_path, bad, header="hour_start,district,calls"), TZ)
    with pytest.raises(ForecastInputError, match="more than once"):
        load_hourly_counts(_write(tmp_path, lines + [lines[0]], header="hour_start,district,calls"), TZ)


def test_bare_dates_are_local_midnight_not_utc_offsets():
    from forecast.io import parse_timestamps

    s = pd.Series(["2016-01-05", "2016-01-05T15:00:00Z", "2016-01-05T10:00:00+0100"])
    out = parse_timestamps(s, TZ)
    assert out[0] == pd.Timestamp("2016-01-05 00:00", tz=TZ)
    assert out[1] == pd.Timestamp("2016-01-05 10:00", tz=TZ)
    assert out[2] == pd.Timestamp("2016-01-05 04:00", tz=TZ)
