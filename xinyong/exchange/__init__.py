"""exchange — 信用信息交换 with the provincial and national platforms (GB/T 39443 file and
service ways).

Reads the outbox (`xinyong.outbox`) as a change feed with a stable cursor (`feed.py`).
"""
