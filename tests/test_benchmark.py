"""The benchmark's side-by-side table: ratios, multiples of the floor and targets, from
figures given here (nothing is timed)."""

from tools.benchmark import Measurement, comparison_rows, fmt_multiple, markdown_table, phase_table


def _runs(
    full: list[float], unchanged: float, corrected: float, peaks: tuple[float, float, float], cpu: float = 0.0
) -> dict[str, list[Measurement]]:
    """Measurements whose CPU time is ``cpu`` times their wall time."""
    return {
        "full": [Measurement("full", s, peaks[0], 15635, 0, 3136, s * cpu) for s in full],
        "unchanged": [Measurement("unchanged", unchanged, peaks[1], 0, 0, 0, unchanged * cpu)],
        "corrected": [Measurement("corrected", corrected, peaks[2], 6, 0, 1, corrected * cpu)],
    }


def test_ratios_targets_and_floor_multiples() -> None:
    base = _runs([112.0], 22.0, 43.0, (944, 434, 772), cpu=0.5)
    # Three rounds of the full run: the median (50.0) is compared, not the mean (60.0).
    new = _runs([48.0, 50.0, 82.0], 8.8, 12.9, (700, 300, 980), cpu=1.0)
    rows = comparison_rows(base, new, floor=1.25)
    assert rows == [
        # 50 / 112 = 0.446; CPU 50 / 56 = 0.893; 112 / 1.25 = 89.6; 50 / 1.25 = 40
        ["full", "112.0 s", "50.0 s", "0.45×", "≤ 0.5×", "yes", "0.89×", "90×", "40×"],
        # 8.8 / 22 = 0.40 > 0.35; CPU 8.8 / 11 = 0.80; 22 / 1.25 = 17.6; 8.8 / 1.25 = 7.04
        ["unchanged", "22.0 s", "8.8 s", "0.40×", "≤ 0.35×", "no", "0.80×", "18×", "7.0×"],
        # 12.9 / 43 = 0.30; CPU 12.9 / 21.5 = 0.60; 43 / 1.25 = 34.4; 12.9 / 1.25 = 10.32
        ["one corrected file", "43.0 s", "12.9 s", "0.30×", "≤ 0.4×", "yes", "0.60×", "34×", "10×"],
        # the highest peak of any run: 944 against 980
        ["peak memory (process tree)", "944 MiB", "980 MiB", "1.04× (+36 MiB)", "not above the baseline", "no", "", "", ""],
    ]


def test_without_floor_targets_or_cpu_those_cells_stay_empty() -> None:
    base = _runs([10.0], 4.0, 5.0, (100, 50, 80))
    rows = comparison_rows(base, base, floor=None, targets={})
    assert rows[0] == ["full", "10.0 s", "10.0 s", "1.00×", "", "", "", "", ""]
    assert rows[3] == ["peak memory (process tree)", "100 MiB", "100 MiB", "1.00× (+0 MiB)", "", "", "", "", ""]


def test_multiples_and_markdown() -> None:
    assert fmt_multiple(112.0, 1.27) == "88×"
    assert fmt_multiple(9.0, 1.0) == "9.0×"
    assert markdown_table(["a", "b"], [["1", "2"]]) == "| a | b |\n|---|---|\n| 1 | 2 |"


def test_phase_table_one_column_per_run_rows_in_order_met() -> None:
    header, rows = phase_table(
        [
            ("unchanged, baseline", {"start-up": 5.27, "run creation": 12.05, "planned events (count)": 537}),
            ("unchanged, new", {"start-up": 3.1, "step ingest": 0.8, "planned events (count)": 81}),
        ]
    )
    assert header == ["phase", "unchanged, baseline", "unchanged, new"]
    assert rows == [
        ["start-up", "5.27", "3.10"],
        ["run creation", "12.05", ""],
        ["planned events (count)", "537", "81"],
        ["step ingest", "", "0.80"],
    ]


def test_a_run_that_skipped_steps_meets_no_target() -> None:
    base = _runs([112.0], 22.0, 43.0, (944, 434, 772))
    new = _runs([50.0], 5.0, 12.9, (700, 300, 900))
    new["unchanged"][0].skipped = ["bi_snapshot", "receipts"]
    rows = comparison_rows(base, new, floor=None)
    assert rows[1][:6] == ["unchanged", "22.0 s", "5.0 s", "0.23×", "≤ 0.35×", "n/a: steps skipped"]
    assert rows[0][5] == rows[2][5] == "yes"
