"""信易贷 — SME financing with consent (rules.md §8.2, 国办发〔2021〕52号).

Owns: financial institutions and their users (`institutions`), loan products and financing needs
with matching that explains itself (`market`), 白名单推荐 (`whitelist`), loan outcomes, 贷中预警
alerts and monthly figures (`outcomes`), the 信易贷 catalog file (`catalog`).
Does not: decide consent (consent), grade (evaluation; eligibility conditions live in
evaluation.eligibility), read the archive (disclosure) or issue reports (reports) — it asks them,
and every read of a subject by a bank goes through them, so it is logged in the query log.

Start here: `market.match` (what an SME sees), `outcomes.raise_alerts` (贷中预警).
"""
