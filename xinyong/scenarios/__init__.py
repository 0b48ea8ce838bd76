"""信易+ — incentive scenarios partners can verify (守信激励, rules.md §8.2).

Owns: the scenario catalog (`catalogs/scenarios/scenarios.yaml`: benefit, grantor, eligibility,
legal basis for natural persons), partners registered for a scenario, and every verification
they make with its reason (`verify`).
Does not: decide eligibility conditions (evaluation.eligibility), grades (evaluation), list
validity (lists) or consent (consent).

Start here: `verify.verify`.
"""
