"""Drive the sandbox with the real `destinelab` package and `requests`, as the reference notebook
(DestinE-DataLake-Lab HOOK/Tutorial.ipynb) does. Usage: destinelab_notebook.py BASE_URL

The only change to destinelab is pointing its URL constants at the sandbox. Exits non-zero on any failure.
"""

import io
import json
import sys
import time
import zipfile

import requests

import destinelab
import destinelab.dedl_auth
import destinelab.desp_auth
import destinelab.tools.token_tools
from destinelab.errors import InvalidCredentialsError, OTPRequiredError
from destinelab.tools.token_tools import is_dedl_token_valid

base = sys.argv[1].rstrip("/")

# Patch the URL constants where destinelab's modules imported them.
destinelab.desp_auth.IAM_URL = base
destinelab.dedl_auth.DEDL_TOKEN_URL = base + "/auth/realms/dedl/protocol/openid-connect/token"
destinelab.tools.token_tools.DEDL_KEYCLOAK_SERVER_URL = base + "/auth/"

hook_url = base + "/odata/v1/"


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


# --- Login as the notebook does: AuthHandler -> DESP login form -> token exchange.
auth = destinelab.AuthHandler("demo", "demo")
access_token = auth.get_token()
check(access_token, "no DEDL token")
check(is_dedl_token_valid(access_token), "DEDL token does not validate against the JWKS")
check(isinstance(auth.get_roles(access_token), list), "token has no realm_access.roles")
check(auth.get_token() == access_token, "cached valid token was not reused")
api_headers = {"Authorization": "Bearer " + access_token}

# --- Wrong password: destinelab's InvalidCredentialsError from the input-error span.
try:
    destinelab.DESPAuth("demo", "wrong").get_desp_token()
    check(False, "wrong password accepted")
except InvalidCredentialsError as error:
    check("Invalid username or password" in str(error), "unexpected credential error: %s" % error)

# --- OTP user: the OTP form is detected; the code is posted; a missing OTP is reported.
otp_token = destinelab.DESPAuth("otpuser", "otppass", otp_provider=lambda: "654321").get_desp_token()
check(otp_token, "no DESP token for the OTP user")
try:
    destinelab.DESPAuth("otpuser", "otppass", otp_provider=lambda: "000000").get_desp_token()
    check(False, "wrong OTP accepted")
except OTPRequiredError:
    pass

# --- Service account.
service_token = destinelab.DEDLServiceAccountAuth("hookctl-ci", "hookctl-ci-secret").get_token()
check(is_dedl_token_valid(service_token), "service-account token does not validate")

# --- Workflows, as in the notebook.
result = requests.get(hook_url + "Workflows?$orderby=Id asc", headers=api_headers).json()
names = [w["Name"] for w in result["value"]]
check("data-harvest" in names, "data-harvest missing from %s" % names)
check(all(isinstance(w["Id"], str) for w in result["value"]), "workflow ids are not strings")

workflow = "data-harvest"
result = requests.get(
    hook_url + "Workflows?$expand=WorkflowOptions&$filter=(Name eq '" + workflow + "')", headers=api_headers
).json()
options = {o["Name"]: o for o in result["value"][0]["WorkflowOptions"]}
check("output_storage" in options and "desp_source_collection" in options, "data-harvest options incomplete")

# --- Order, as the notebook builds it (json.dumps body, no Content-Type header).
identifier_list = ["S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"]
order_body = {
    "Name": "Tutorial " + workflow + " - sandbox",
    "WorkflowName": workflow,
    "IdentifierList": identifier_list,
    "WorkflowOptions": [
        {"Name": "output_storage", "Value": "TEMPORARY"},
        {"Name": "source_type", "Value": "DESP"},
        {"Name": "desp_source_username", "Value": "demo"},
        {"Name": "desp_source_password", "Value": "demo"},
        {"Name": "desp_source_collection", "Value": "EO.ESA.DAT.SENTINEL-2.MSI.L1C"},
    ],
}
response = requests.post(hook_url + "BatchOrder/OData.CSC.Order", json.dumps(order_body), headers=api_headers)
check(response.status_code == 201, "order answered %d: %s" % (response.status_code, response.text))
order_id = response.json()["value"]["Id"]
check(isinstance(order_id, int), "batch order id is not an integer")
check(response.json()["value"]["Status"] == "queued", "new order is not queued")

# --- Poll as the notebook does: ProductionOrders with $filter=id eq N passed via params.
status = None
deadline = time.time() + 30
while time.time() < deadline:
    result = requests.get(hook_url + "ProductionOrders", params={"$filter": "id eq " + str(order_id)}, headers=api_headers).json()
    status = result["value"][0]["Status"]
    check(result["value"][0]["Id"] == str(order_id), "ProductionOrders id is not the string of the batch id")
    if status in ("completed", "failed", "cancelled"):
        break
    time.sleep(0.2)
check(status == "completed", "order ended as %s" % status)

# --- Products and download.
result = requests.get(hook_url + "BatchOrder(" + str(order_id) + ")/Products", headers=api_headers).json()
check(all(p["Status"] == "completed" for p in result["value"]), "not every product completed")
for product in result["value"]:
    url = hook_url + "BatchOrder(" + str(order_id) + ")/Product(" + str(product["Id"]) + ")/$value"
    response = requests.get(url, headers=api_headers, allow_redirects=True)
    check(response.status_code == 200, "download answered %d" % response.status_code)
    check(len(response.content) == product["ProcessedSize"], "archive size differs from ProcessedSize")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    check(archive.testzip() is None, "archive is corrupt")
    check(any(n.endswith("manifest.safe") for n in archive.namelist()), "archive has no manifest")
    link = requests.get(product["DownloadLink"], headers=api_headers)
    check(link.content == response.content, "DownloadLink serves different bytes")

# --- The older DEDL-Hook_access notebook: client dedl-hook, redirect to the OData root, IAM_URL with a trailing
# slash (so "//realms"), lxml form parsing, a session keeping cookies, no redirects followed.
from lxml import html as lxml_html

IAM_URL = base + "/"
with requests.Session() as s:
    page = s.get(IAM_URL + "/realms/desp/protocol/openid-connect/auth",
                 params={"client_id": "dedl-hook", "redirect_uri": "https://odp.data.destination-earth.eu/odata/v1/",
                         "scope": "openid", "response_type": "code"})
    action = lxml_html.fromstring(page.content.decode()).forms[0].action
    login = s.post(action, data={"username": "demo", "password": "demo"}, allow_redirects=False)
    check(login.status_code == 302, "dedl-hook login answered %d" % login.status_code)
    code = login.headers["Location"].split("code=")[1].split("&")[0]
    token = s.post(IAM_URL + "/realms/desp/protocol/openid-connect/token",
                   data={"client_id": "dedl-hook", "redirect_uri": "https://odp.data.destination-earth.eu/odata/v1/",
                         "code": code, "grant_type": "authorization_code", "scope": ""}).json()["access_token"]
    exchanged = requests.post(base + "/auth/realms/dedl/protocol/openid-connect/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": token,
        "subject_issuer": "desp-oidc", "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "client_id": "hda-public", "audience": "hda-public"})
    check(exchanged.status_code == 200, "token exchange answered %d" % exchanged.status_code)
    listed = requests.get(hook_url + "ProductionOrders?$filter=(endswith(Name,'sandbox'))",
                          headers={"Authorization": "Bearer " + exchanged.json()["access_token"]}).json()
    check(any(o["Id"] == str(order_id) for o in listed["value"]), "endswith filter did not find the order")

print("OK destinelab %s: login, JWKS validation, OTP, service account, workflows, order %d, poll, products, download"
      % (getattr(destinelab, "__version__", "1.14"), order_id))
