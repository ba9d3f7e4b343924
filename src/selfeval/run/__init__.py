"""Running the pipeline: notebooks, the batch of years, the index site, the PDF.

Importing this package installs `fastimport.defer_iri_grammar()`: every entry into the run layer
(the command line, a batch worker, a dask worker's task, a test) then imports nbformat, papermill
and nbconvert without jsonschema's ~1.5 s RFC 3987 grammar build, which nothing here uses.
"""

from selfeval.run.fastimport import defer_iri_grammar

defer_iri_grammar()
