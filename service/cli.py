"""The ``bridgemap`` command: ``serve``, ``demo``, ``analyse``, ``import``, ``export``,
``operator-token`` and ``operator-audit`` (``bridgemap --help``; each runs on the store
that ``BRIDGEMAP_*`` settings name)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from graph_models.demo import DEMO_MAP_ID, build_demo
from graph_models.errors import BridgemapError, NotFound
from graph_models.io.readers import FORMATS
from graph_models.io.rows import map_id_key
from graph_models.store.base import GraphStore
from graph_models.surveys.demo import load_demo_survey
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
    load_demo_survey(store, DEMO_MAP_ID, nodes, ties)  # a closed survey, once
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
    from service.background import helper_processes
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
            # nothing waits on the command line: a kept exact result is used, else it
            # is computed here, on as many cores as a background job would use
            processes=helper_processes(),
            section_processes=config["REPORT_PROCESSES"],
        )
    finally:
        store.close()
    report = {"map": {"id": m.id, "name": m.name, "version": m.version}, **report}
    click.echo(json.dumps(report, indent=2, default=str) if as_json else format_report(report))


def _print_problems(errors: dict, limit: int = 50) -> None:
    """An import's 422 errors: the causes with their counts (io.error_summary), then one
    line per problem: sheet, row, column, message."""
    from graph_models.io.error_summary import summarise

    causes = summarise(errors)
    if len(causes) > 1:
        for cause in causes:
            click.echo(f"* {cause.summary()}", err=True)
    lines = []
    for sheet, rows in errors.items():
        if not isinstance(rows, dict):
            lines += [f"{sheet}: {m}" for m in rows]
            continue
        for row, columns in rows.items():
            if not isinstance(columns, dict):
                lines += [f"{sheet} {row}: {m}" for m in columns]
                continue
            for column, messages in columns.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    lines.append(f"{sheet} row {row}, {column}: {message}")
    for line in lines[:limit]:
        click.echo(line, err=True)
    if len(lines) > limit:
        click.echo(f"... and {len(lines) - limit} more", err=True)


def _secret() -> bytes:
    """The service's secret key, read as the service reads it (the generated ids of an
    import are keyed with it: the same rows get the same ids by CLI, API or page)."""
    return settings.secret_key(settings.from_environment()).encode()


def _map_for_import(store: GraphStore, map_id: str, path, fmt: str | None) -> bool:
    """Create ``map_id`` if missing (from a JSON file's map section, or default silos)."""
    import json

    from graph_models import schemas

    try:
        store.get_map(map_id)
        return False
    except NotFound:
        pass
    values = {"name": map_id}
    if fmt == "json" or (fmt is None and path.suffix.lower() == ".json"):
        with open(path, "rb") as f:
            section = (json.load(f) or {}).get("map") or {}
        values = {k: v for k, v in section.items() if k != "id"} or values
    store.create_map(schemas.build_map({**values, "id": map_id}), actor="cli")
    return True


@main.command("import")
@click.argument("map_id")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="detected when omitted")
@click.option(
    "--entity",
    type=click.Choice(["people", "organisations", "relationships"]),
    help="what a CSV (or one-sheet XLSX) holds; detected when omitted",
)
@click.option("--dry-run", is_flag=True, help="validate and report; write nothing")
@click.option("--add-silos", is_flag=True, help="add unknown silos to the map's vocabulary")
@click.option("--create", is_flag=True, help="create the map if it does not exist")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a mapping (JSON, e.g. downloaded from the import page) for a file not in "
    "Bridgemap's own shape; kept for the map once written",
)
def import_command(map_id, path, fmt, entity, dry_run, add_silos, create, as_json, mapping_path):
    """Import people, organisations and ties from a CSV, XLSX, JSON, GraphML or GEXF file.

    All or nothing: any invalid row writes nothing and every problem is listed by
    sheet, row and column. Importing the same file again changes nothing. A file not
    in Bridgemap's own shape needs a mapping (--mapping), or the one the map kept from
    the last file of the same shape.
    """
    import json

    from graph_models.errors import InvalidInput
    from graph_models.io.saved import import_mapped

    mapping = mapping_path.read_text(encoding="utf-8") if mapping_path else None

    store = open_store(settings.from_environment())
    created = False
    try:
        if create:
            created = _map_for_import(store, map_id, path, fmt)
        show = path.stat().st_size > 1024 * 1024  # a progress bar for big files only
        bar_or_not = (
            click.progressbar(
                length=1000, label=f"reading {path.name}", file=click.get_text_stream("stderr")
            )
            if show
            else contextlib.nullcontext()
        )
        with open(path, "rb") as f, bar_or_not as bar:

            def progress(fraction: float) -> None:
                if show:
                    bar.update(int(fraction * 1000) - bar.pos)

            try:
                report = import_mapped(
                    store,
                    map_id,
                    f,
                    mapping=mapping,
                    filename=path.name,
                    fmt=fmt,
                    entity=entity,
                    dry_run=dry_run,
                    add_silos=add_silos,
                    actor="cli",
                    progress=progress,
                    id_key=map_id_key(_secret(), map_id),
                )
            except InvalidInput as exc:
                if created:
                    store.delete_map(map_id, actor="cli")
                _print_problems(exc.errors)
                raise click.ClickException(exc.message) from None
            if show:
                bar.update(1000 - bar.pos)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    for plural, counts in report.counts.items():
        c = counts
        click.echo(
            f"{plural + ':':<15}{c.created:>8} created {c.updated:>8} updated "
            f"{c.unchanged:>8} unchanged {c.skipped:>6} skipped"
        )
    if report.silos_added:
        click.echo("silos added: " + ", ".join(report.silos_added))
    if report.mapping_source == "saved":
        click.echo("read with the mapping this map kept for files of this shape")
    for sheet, labels in report.ignored_columns.items():
        click.echo(f"ignored columns in {sheet}: {', '.join(labels)}")
    if report.ignored_sheets:
        click.echo("ignored sheets: " + ", ".join(report.ignored_sheets))
    if report.encoding and report.encoding not in ("utf-8", "utf-8-sig"):
        click.echo(f"read as {report.encoding}")
    if dry_run:
        click.echo("dry run: nothing was written")
    elif report.written:
        click.echo(f"written: map {map_id!r} is now at version {report.version}")
    else:
        click.echo("nothing changed")


@main.command("export")
@click.argument("map_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="the file to write (default: standard output, for text formats)",
)
@click.option("--viewer", is_flag=True, help="as a viewer may see it (consent applied)")
def export_command(map_id, fmt, output, viewer):
    """Export a map as JSON, CSV (a zip of three files), XLSX, GraphML or GEXF."""
    from graph_models.io import export_map

    config = settings.from_environment()
    store = open_store(config)
    try:
        secret = settings.secret_key(config).encode() if viewer else None
        result = export_map(store, map_id, fmt, viewer=viewer, secret=secret)
    finally:
        store.close()
    if output is None or str(output) == "-":
        stdout = sys.stdout.buffer
        if fmt in ("csv", "xlsx") and stdout.isatty():
            raise click.ClickException(f"a {fmt} export is binary; give a file with -o")
        stdout.write(result.data)
        stdout.flush()
        return
    output.write_bytes(result.data)
    click.echo(f"wrote {output} ({len(result.data):,} bytes)", err=True)


@main.group("operator-token")
def operator_token():
    """Operator (admin) tokens: list, create, revoke. Revoking one ends its sessions."""


@operator_token.command("list")
def operator_token_list():
    """Every operator token: id, status, label, created, expires (never the secret)."""
    from service.auth import is_live, operator_tokens

    store = open_store(settings.from_environment())
    for t in operator_tokens(store):
        status = "revoked" if t.revoked_at else ("active" if is_live(t) else "expired")
        expires = t.expires_at or "-"
        click.echo(f"{t.id}\t{status}\t{t.label or '-'}\t{t.created_at}\t{expires}")
    store.close()


@operator_token.command("create")
@click.option("--label", default="", help="what the token is for")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="when it stops working (UTC)",
)
def operator_token_create(label, expires):
    """Make an operator token; its secret is printed this once."""
    from datetime import UTC

    from service.auth import create_operator_token

    store = open_store(settings.from_environment())
    when = expires.replace(tzinfo=UTC).isoformat() if expires else None
    secret, token = create_operator_token(store, label=label, expires_at=when)
    store.close()
    click.echo(f"operator token {token.id} (shown only this once; keep it safe):")
    click.echo(f"  {secret}")


@operator_token.command("revoke")
@click.argument("token_id")
def operator_token_revoke(token_id):
    """End an operator token now (its browser sessions too)."""
    from service.auth import revoke_operator_token

    store = open_store(settings.from_environment())
    revoke_operator_token(store, token_id)
    store.close()
    click.echo(f"operator token {token_id} revoked")


@main.command("operator-audit")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def operator_audit(limit):
    """The operator's audit log, newest first: maps made and deleted, operator tokens
    made and revoked (when, who, what). It outlives the maps it names."""
    from graph_models.store.base import OPERATOR_SCOPE

    store = open_store(settings.from_environment())
    try:
        for e in store.audit_log(OPERATOR_SCOPE, limit=limit).items:
            click.echo(f"{e.at}\t{e.actor or '-'}\t{e.action}\t{e.entity_type}\t{e.entity_ref}")
    finally:
        store.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", "with_demo", is_flag=True, help="load the demo map first")
def serve(host, port, with_demo):
    """Run the service (embedded store unless BRIDGEMAP_NEO4J_URI is set)."""
    import os

    from service import logs
    from service.app import create_app
    from service.auth import demo_coordinator_link

    logs.install()  # the development server logs request lines: no token in them
    # the local command: development mode (plain http works) unless BRIDGEMAP_ENV says
    app = create_app({"ENV": os.environ.get("BRIDGEMAP_ENV") or "development"})
    store = app.extensions["bridgemap.store"]
    click.echo(f"store: {type(store).__name__}")
    if with_demo:
        map_id, nodes, ties = load_demo(store)
        base = f"http://{host}:{port}"
        link = f"{base}/share#{demo_coordinator_link(store, map_id)}"
        click.echo(f"demo map loaded: {nodes} people and organisations, {ties} ties")
        click.echo("  open this link to sign in as the demo map's coordinator:")
        click.echo(f"    {link}")
        click.echo(f"  graph: {base}/maps/{map_id}/view   (after opening the link)")
        click.echo(f"  API:   {base}/api/v1/maps/{map_id}   (Authorization: Bearer <token>)")
        click.echo(f"  docs:  {base}/api/v1/openapi.json")
    app.run(host=host, port=port, threaded=True)


if __name__ == "__main__":
    main()


@main.command()
@click.option("--burst", is_flag=True, help="run the queued jobs, then stop")
def worker(burst):
    """Run background exact analysis jobs from the shared queue (BRIDGEMAP_REDIS_URL)."""
    from rq import Worker

    from service.queue import QUEUE, connect

    url = settings.from_environment().get("REDIS_URL")
    if not url:
        raise click.ClickException("BRIDGEMAP_REDIS_URL is not set: there is no queue to run")
    Worker([QUEUE], connection=connect(url)).work(burst=burst)
