"""Submit N data-harvest orders to a sandbox as fast as a few threads can; print orders/second.
Usage: submit_orders.py BASE_URL TOKEN N"""

import json
import sys
import threading
import time

import requests

base, token, count = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
body = json.dumps({
    "Name": "bench", "WorkflowName": "data-harvest",
    "IdentifierList": ["S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"],
    "WorkflowOptions": [
        {"Name": "output_storage", "Value": "TEMPORARY"}, {"Name": "source_type", "Value": "DESP"},
        {"Name": "desp_source_username", "Value": "demo"}, {"Name": "desp_source_password", "Value": "demo"},
        {"Name": "desp_source_collection", "Value": "EO.ESA.DAT.SENTINEL-2.MSI.L1C"}],
})
lock = threading.Lock()
remaining = [count]
failures = [0]


def worker():
    session = requests.Session()
    headers = {"Authorization": "Bearer " + token}
    while True:
        with lock:
            if remaining[0] == 0:
                return
            remaining[0] -= 1
        response = session.post(base + "/odata/v1/BatchOrder/OData.CSC.Order", data=body, headers=headers)
        if response.status_code != 201:
            with lock:
                failures[0] += 1


start = time.time()
threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - start
print("submitted %d orders in %.1f s (%.0f/s), %d failures" % (count, elapsed, count / elapsed, failures[0]))
