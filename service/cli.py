"""The ``bridgemap`` command: serve, demo (and, as they land, analyse/import/export)."""

from __future__ import annotations

import click

from graph_models.demo import DEMO_MAP_ID, build_demo
from graph_models.errors import NotFound
from graph_models.store.base import GraphStore
from service import config as settings
from service.stores import open_store


def load_demo(store: GraphStore, *, seed: int = 7) -> tuple[str, int, int]:
    """Create (or refresh) the demo map; returns (map id, nodes, ties)."""
    demo_map, nodes, ties = build_demo(seed)
    try:
        store.get_map(DEMO_MAP_ID)
    except NotFound:
        store.create_map(demo_map)
    store.bulk_upsert(DEMO_MAP_ID, nodes, ties, actor="demo")
    return DEMO_MAP_ID, len(nodes), len(ties)


@click.group()
def main():
    """Bridgemap: map a partnership's relationships, find its silos and who bridges them."""


@main.command()
@click.option("--seed", default=7, show_default=True, help="the demo is the same for a seed")
def demo(seed):
    """Load the demo partnership (about 150 people, 40 organisations, 9 sectors)."""
    store = open_store(settings.from_environment())
    map_id, nodes, ties = load_demo(store, seed=seed)
    click.echo(f"demo map {map_id!r}: {nodes} people and organisations, {ties} ties")
    store.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", "with_demo", is_flag=True, help="load the demo map first")
def serve(host, port, with_demo):
    """Run the service (embedded store unless BRIDGEMAP_NEO4J_URI is set)."""
    from service.app import create_app

    app = create_app()
    store = app.extensions["bridgemap.store"]
    click.echo(f"store: {type(store).__name__}")
    if with_demo:
        map_id, nodes, ties = load_demo(store)
        base = f"http://{host}:{port}"
        click.echo(f"demo map loaded: {nodes} people and organisations, {ties} ties")
        click.echo(f"  API:   {base}/api/v1/maps/{map_id}")
        click.echo(f"  graph: {base}/api/v1/maps/{map_id}/graph")
        click.echo(f"  docs:  {base}/api/v1/openapi.json")
    app.run(host=host, port=port, threaded=True)


if __name__ == "__main__":
    main()
