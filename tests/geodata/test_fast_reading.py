"""Reading at the speed of the disk changes nothing a planner sees (issue 13).

CSV is read by Arrow into categorical text and each column is parsed once per
distinct cell; these tests hold that to pandas' reader and to a row-by-row
reading: the same cells, the same values, the same report lines.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.columns import normalise_frame
from geodata.readers import Source, read_source
from geodata.report import ValidationReport
from geodata.schema import Layer

#: Text files that pandas reads in its own way (quotes, padding, renaming) or refuses.
CSV_CASES = {
    "plain": "a,b\n0012,x\n,y\n",
    "bom": "\ufeffa,b\n1,2\n",
    "crlf": "a,b\r\n1,2\r\n3,4\r\n",
    "quoted": 'a,b\n"x, y","he said ""hi"""\n"two\nlines",2\n',
    "blank_lines": "a,b\n1,2\n\n3,4\n",
    "short_row": "a,b,c\n1,2\n",
    "long_row": "a,b\n1,2,3\n",
    "duplicate_header": "a,a\n1,2\n",
    "empty_header": "a,,b\n1,2,3\n",
    "header_only": "a,b\n",
    "spaces": " a , b \n 1 , 2 \n",
    "no_final_newline": "a,b\n1,2",
    "empty": "",
}

#: Cells of every kind the code parser repairs or rejects, and numbers with separators and junk.
MATRIX_ROWS = [
    ("430121102", "F1", "12.5"),
    ("430121102.0", "F1", "1,234"),
    ("4.30121E+08", "F2", "abc"),
    ("43012110", "F2", ""),
    ("", " F3 ", "n/a"),
    ("430121102000", "F1.0", "7"),
    (" 430121103 ", "4.3E+10", "-"),
    ("430121102", "F1", "12.5"),
    ("null", "F9", "inf"),
    ("430121103", "F2", "3"),
]


def _as_pandas_reads(path):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("not text")


def _cells(frame):
    return {str(c): ["<NA>" if pd.isna(v) else str(v) for v in frame[c]] for c in frame.columns}


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_csv_cells_are_those_pandas_reads(case, encoding, tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(CSV_CASES[case].encode(encoding))
    try:
        expected = _cells(_as_pandas_reads(path))
    except Exception as exc:
        with pytest.raises(Exception, match="cannot be read"):
            read_source(Source(path))
        assert type(exc).__name__ in ("EmptyDataError", "ParserError")
        return
    assert _cells(read_source(Source(path))) == expected


def test_a_chinese_gbk_file_is_read(tmp_path):
    path = tmp_path / "travel.csv"
    path.write_bytes("乡镇代码,机构代码,分钟\n430121102,卫生院1,12\n".encode("gbk"))
    frame = read_source(Source(path))
    assert list(frame.columns) == ["乡镇代码", "机构代码", "分钟"]
    assert _cells(frame)["机构代码"] == ["卫生院1"]


def _normalised(frame):
    report = ValidationReport()
    out = normalise_frame(frame, Layer.TRAVEL, "m.csv", report)
    return out, [
        (p.check, p.severity.value, p.row, p.feature, p.field, p.expected, p.found, p.repair) for p in report
    ]


def _matrix(rows):
    return pd.DataFrame(rows, columns=["township_code", "facility_id", "minutes"], dtype=object)


def test_distinct_cells_give_the_values_and_lines_of_a_row_by_row_reading(tmp_path):
    """Each row read alone (its own distinct cells) must agree with the whole column read at once."""
    whole, lines = _normalised(_matrix(MATRIX_ROWS))
    assert lines, "the cells above must raise problems"
    by_row = []
    for i, row in enumerate(MATRIX_ROWS):
        one, one_lines = _normalised(_matrix([row]))
        by_row += [
            (c, s, i + 1 if r is not None else None, *rest) for c, s, r, *rest in one_lines if r is not None
        ]
        for col in ("township_code", "facility_id", "minutes"):
            got, want = whole[col].iloc[i], one[col].iloc[0]
            assert (pd.isna(got) and pd.isna(want)) or got == want, (i, col)
    row_lines = [line for line in lines if line[2] is not None]
    assert sorted(row_lines, key=repr) == sorted(by_row, key=repr)
    for check, field in {(line[0], line[4]) for line in row_lines}:  # each check lists its rows in file order
        rows = [line[2] for line in row_lines if (line[0], line[4]) == (check, field)]
        assert rows == sorted(rows)


def test_a_csv_and_the_same_cells_in_memory_read_alike(tmp_path):
    path = tmp_path / "travel_matrix.csv"
    _matrix(MATRIX_ROWS).to_csv(path, index=False)
    from_file = _normalised(read_source(Source(path)))
    in_memory = _normalised(_as_pandas_reads(path).astype(object))
    assert from_file[1] == in_memory[1]
    pd.testing.assert_frame_equal(from_file[0], in_memory[0])


def test_numbers_stored_as_numbers_read_as_their_text(tmp_path):
    """A Parquet matrix with numeric codes and float minutes: same lines as the same cells as text."""
    frame = pd.DataFrame(
        {
            "township_code": [430121102.0, 430121102.0, float("nan")],
            "facility_id": [7, 7, 8],
            "minutes": [12.5, -0.0, 3.0],
        }
    )
    path = tmp_path / "travel_matrix.parquet"
    frame.to_parquet(path)
    out, lines = _normalised(read_source(Source(path)))
    assert out["township_code"].tolist()[:2] == ["430121102", "430121102"] and pd.isna(
        out["township_code"].iloc[2]
    )
    assert out["facility_id"].tolist() == ["7", "7", "8"] and out["minutes"].tolist() == [12.5, 0.0, 3.0]
    assert [(c, r, found) for c, _, r, _, _, _, found, _ in lines] == [
        ("code_as_number", 1, "430121102.0"),
        ("code_as_number", 2, "430121102.0"),
    ]


def test_a_ragged_row_that_says_decode_is_not_taken_for_an_encoding_error(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("a,b,c\n1,cannot decode\n", encoding="utf-8")
    assert _cells(read_source(Source(path))) == _cells(_as_pandas_reads(path))


def test_repeated_texts_become_categories_and_distinct_texts_stay_text(tmp_path):
    path = tmp_path / "travel_matrix.csv"
    rows = [
        (f"43012110{i % 3}", f"F{i % 2}", f"{i * 1.37:.6f}", " 0012 " if i == 5 else "") for i in range(40)
    ]
    pd.DataFrame(rows, columns=["township_code", "facility_id", "minutes", "note"]).to_csv(path, index=False)
    frame = read_source(Source(path))
    assert isinstance(frame["township_code"].dtype, pd.CategoricalDtype)
    assert len(frame["township_code"].cat.categories) == 3
    assert isinstance(frame["minutes"].dtype, pd.StringDtype)  # 40 distinct texts: no categories
    assert _cells(frame) == _cells(_as_pandas_reads(path))
    assert _normalised(frame)[1] == _normalised(_as_pandas_reads(path).astype(object))[1]
