"""The readers' site, rebuilt after a release: the asset reads only what the releases
folder holds, so it runs last, after `release`, and builds only when the releases (or
the site's address or next release date) differ from those the site shows."""

import dagster as dg

from pipelines.assets import YEARS
from pipelines.assets.resources import EvstatsConfig
from pipelines.publish.site import build_site, is_current, read_releases


@dg.asset(group_name="publish", partitions_def=YEARS, deps=["release"], kinds={"html"})
def site(context: dg.AssetExecutionContext, evstats: EvstatsConfig) -> dg.MaterializeResult:
    """`<data-dir>/site/`: every release's page, the areas' series, the quality
    description, feeds and sitemap (`evstats site` builds the same anywhere)."""
    settings = evstats.settings
    releases = settings.root / "releases"
    out = settings.site_dir
    found = read_releases(releases)
    if not found:
        return dg.MaterializeResult(metadata={"site": "no releases yet"})
    if is_current(releases, out, settings.site_url, settings.next_release):
        context.log.info(f"{out} already shows the {len(found)} releases")
        return dg.MaterializeResult(metadata={"site": "unchanged", "releases": len(found)})
    build_site(
        releases,
        out,
        evstats.schema,
        site_url=settings.site_url,
        next_release=settings.next_release,
    )
    return dg.MaterializeResult(
        metadata={
            "site": dg.MetadataValue.path(str(out / "index.html")),
            "releases": len(found),
        }
    )
