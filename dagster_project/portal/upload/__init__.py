"""Upload with instant checking (issue 20): the form at /upload/, the check by ingestion's own
code (``portal.checking``), the atomic write into the landing folder and the upload log."""
