"""Paying through the bank (代发) and reading its results (回盘).

- `layouts`: what a bank layout may say (fields per part), the presets a county starts from, the
  snapshot a batch keeps, and the checks a layout must pass before a roll is sent with it.
- `files`: the 代发 file of a batch, written from the layout snapshot (xlsx, CSV, fixed-width or
  delimited text, GBK or UTF-8, a totals row).
- `returns`: the bank's 回盘 read into rows (through the registry import's reader for xlsx/CSV),
  with row errors in Chinese; matching and applying them is `assistance.services.bank`.
- `selectors`: reads for the pages (a household's months: due, sent, paid).
"""
