"""Searches the sandbox's STAC API with pystac-client, as an EO user would, and prints what came back as JSON.

Usage: stac_client_check.py STAC_URL COLLECTION
Any warning pystac-client raises (e.g. a search method the landing page does not advertise) is reported too.
"""
import json
import sys
import warnings

from pystac_client import Client


def main():
    url, collection = sys.argv[1], sys.argv[2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = Client.open(url)
        result = {"conforms_item_search": client.conforms_to("ITEM_SEARCH")}
        # Every item of the collection, 7 to a page: the client follows `next` links.
        everything = list(client.search(collections=[collection], limit=7).items())
        result["all"] = [item.id for item in everything]
        # A box over Siberia (tile T47VLH lies at 56-64 N, 96-102 E) and one over the Alps, by GET and by POST.
        for method in ("GET", "POST"):
            siberia = client.search(collections=[collection], bbox=[90, 50, 110, 70], method=method, limit=5)
            result[f"siberia_{method}"] = [(item.id, item.bbox) for item in siberia.items()]
        # A datetime range (2024 only), and ids.
        in_2024 = client.search(collections=[collection], datetime="2024-01-01T00:00:00Z/2024-12-31T23:59:59Z", method="POST")
        result["in_2024"] = [(item.id, item.datetime.isoformat()) for item in in_2024.items()]
        first = everything[0].id if everything else ""
        result["by_id"] = [item.id for item in client.search(ids=[first], collections=[collection]).items()]
    result["warnings"] = [str(w.message) for w in caught]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
