"""The input contract: sheets and vocabularies, processed-table models, the contract doc."""
