"""Publishing: what leaves the warehouse.

- ``snapshot.publish_snapshot(settings)``: ``marts.duckdb`` (DuckDB 1.1 format) and
  ``parquet/`` for BI tools, replaced atomically, never with personal data.
- ``finance.write_finance_workbook(con, year, path)`` and
  ``finance.write_summary_html(con, year, path)``: the finance office's checks.
- ``receipts.write_receipts(con, out_dir, run_id)``: a receipt (回执) per submitter.
- ``cli.add_publish_commands(subparsers)`` / ``cli.main(argv)`` and ``assets``: the
  same, from the command line and as Dagster assets.
"""
