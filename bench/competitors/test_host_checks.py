"""The host checks of bench/host-checks.json as a pytest-testinfra module: one test per check and host.

Run (see bench/competitors/testinfra.ts for the exact argv the bench uses):
  HWQUAL_HOST_CHECKS=checks.json /usr/bin/python3 -m pytest -n 16 --hosts=ssh://node-a,... --ssh-config=ssh_config test_host_checks.py
"""
import json
import os

import pytest

with open(os.environ["HWQUAL_HOST_CHECKS"], encoding="utf-8") as f:
    CHECKS = json.load(f)


@pytest.mark.parametrize("check", CHECKS, ids=[c["id"] for c in CHECKS])
def test_check(host, check):
    r = host.run(check["cmd"])
    assert r.rc == 0, f"{check['id']}: exit {r.rc}: {r.stdout}{r.stderr}"
