"""The ``bridgemap`` command: serve, demo (and, as they land, analyse/import/export)."""

from __future__ import annotations

import click

from graph_models.demo import DEMO_MAP_ID, build_demo
from graph_models.errors import BridgemapError, NotFound
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


class _Group(click.Group):
    """Domain errors (no such map, bad option, database unavailable) as one-line messages."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BridgemapError as exc:
            detail = f" {exc.errors}" if exc.errors else ""
            raise click.ClickException(f"{exc.message}{detail}") from None


@click.group(cls=_Group)
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
@click.argument("map_id")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option(
    "--group-by", default="silo", show_default=True, help="silo, organisation, area, tag:<key>"
)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="the map as on this day")
@click.option("--seed", default=0, show_default=True, type=int)
def analyse(map_id, as_json, group_by, as_of, seed):
    """Print the cross-silo report of a map (tables, or JSON with --json)."""
    import json

    from graph_models.reporting import map_report
    from service.report_text import format_report

    config = settings.from_environment()
    store = open_store(config)
    try:
        m = store.get_map(map_id)
        report = map_report(
            store,
            map_id,
            secret=settings.secret_key(config).encode(),
            group_by=group_by,
            as_of=as_of.date() if as_of else None,
            seed=seed,
        )
    finally:
        store.close()
    report = {"map": {"id": m.id, "name": m.name, "version": m.version}, **report}
    click.echo(json.dumps(report, indent=2, default=str) if as_json else format_report(report))


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
