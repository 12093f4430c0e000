"""Quarterly returns to funders: the US VOCA performance measures, a UK police and crime
commissioner's return, and the youth-justice ratio of victims engaged to victims who
agreed to be contacted. Each figure is a Measure (mend.outcomes.measures), so it prints
its counting rule beside it and drills down to the records it counts.

docs/returns.md states every rule in words.
"""
