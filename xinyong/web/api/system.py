"""Liveness and version, and the constant baseline the benchmarks compare against.

`/health` is a sync function (FastAPI runs it in the threadpool): it is the liveness probe and
stays as it is. Its throughput swings with the threadpool's scheduling (3,340 to 8,884 req/s
between two runs on one machine), so the benchmarks compare against `/baseline`, an `async def`
that returns constant bytes on the event loop: the least work any endpoint of this app can do.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from xinyong import __version__

router = APIRouter(tags=["system"])

_BASELINE = b'{"status":"ok"}'


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/baseline", summary="基准：常量响应（性能测试对照）")
async def baseline() -> Response:
    return Response(_BASELINE, media_type="application/json")
