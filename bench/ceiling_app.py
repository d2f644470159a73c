"""The ceiling for the web benchmark: a bare Litestar endpoint returning a short constant HTML
page, served exactly like the real app (uvicorn, same worker count)."""

from litestar import Litestar, MediaType, get

PAGE = "<!DOCTYPE html><html lang=en><title>ceiling</title><p>Hello from a bare Litestar endpoint.</p></html>"


@get("/", media_type=MediaType.HTML)
async def index() -> str:
    return PAGE


def create_ceiling_app() -> Litestar:
    return Litestar(route_handlers=[index], openapi_config=None)
