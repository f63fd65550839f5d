"""Validates a static STAC catalogue offline and loads it with pystac; prints a JSON summary of its items.

Usage: check_stac.py CATALOG_JSON
Core validation with stac-validator, its schema map pointing at the STAC and GeoJSON schemas pystac bundles (the
machines running the tests have no internet). Exit 1 with the validator's messages when anything is invalid.
"""
import json
import os
import sys

import pystac
from pystac.validation import local_validator
from stac_validator.validate import StacValidate


def schema_map(folder):
    """Every bundled schema, by the URL it is referenced by, as a file under `folder`."""
    mapping = {}
    for url, schema in local_validator.get_local_schema_cache().items():
        path = os.path.join(folder, url.split("://", 1)[1].replace("/", "_"))
        with open(path, "w") as handle:
            json.dump(schema, handle)
        mapping[url] = path
    return mapping


def main():
    catalog_path = sys.argv[1]
    folder = os.path.join(os.path.dirname(os.path.abspath(catalog_path)), ".schemas")
    os.makedirs(folder, exist_ok=True)
    mapping = schema_map(folder)
    catalog = pystac.Catalog.from_file(catalog_path)
    files = [catalog_path] + [item.get_self_href() for item in catalog.get_items()]
    problems = []
    for path in files:
        validator = StacValidate(path, core=True, schema_map=mapping)
        if not validator.run():
            problems.append({"file": path, "messages": validator.message})
    items = []
    for item in catalog.get_items():
        asset = item.assets["archive"]
        items.append({
            "id": item.id,
            "datetime": item.datetime.isoformat() if item.datetime else None,
            "href": asset.href,
            "absolute": asset.get_absolute_href(),
            "size": asset.extra_fields.get("file:size"),
            "checksum": asset.extra_fields.get("file:checksum"),
            "key": item.properties.get("hookctl:key"),
            "workflow": item.properties.get("hookctl:workflow"),
            "order_id": item.properties.get("hookctl:order_id"),
            "geometry_type": (item.geometry or {}).get("type"),
            "bbox": item.bbox,
        })
    print(json.dumps({"valid": not problems, "problems": problems, "items": items}, default=str))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
