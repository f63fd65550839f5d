"""Run a moto S3 server on a free loopback port for the sandbox's PRIVATE-output tests.

Prints `PORT <n>` once listening, then serves until stdin is closed or the process is terminated.
With `--auth`, moto enforces SigV4 signatures and IAM after a few bootstrap calls: the script creates the
user `sandbox-test` with an access key allowed everything, and prints `KEY <id> <secret>` before `PORT`.
"""

import os
import sys

auth = "--auth" in sys.argv
if auth:
    # The first calls (made below, unsigned) create the user, its key and its policy; later calls must be signed.
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"

from moto.server import ThreadedMotoServer  # noqa: E402

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()

if auth:
    import boto3

    iam = boto3.client("iam", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="sandbox-test")
    iam.put_user_policy(UserName="sandbox-test", PolicyName="all",
                        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
    key = iam.create_access_key(UserName="sandbox-test")["AccessKey"]
    print("KEY %s %s" % (key["AccessKeyId"], key["SecretAccessKey"]), flush=True)

print("PORT %d" % port, flush=True)
try:
    sys.stdin.read()
finally:
    server.stop()
