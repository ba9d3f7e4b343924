"""QA tools of the repository, not of the product: the headless-browser checks and `make
screenshots` (browser), `make bench` (bench), a local Dask cluster for the bench and the tests
(cluster), and reading PDFs back with poppler (pdfcheck). Run from the repo root
(`python -m tools.bench`); never installed, and `selfeval` never imports them (import-linter)."""
