"""Running the pipeline: notebooks, the batch of years, the index site, browser checks, bench."""
