"""pytest-xdist tuning for the hosts bench: each lab host's tests go to ONE worker (`--dist loadgroup`).

With the default `--dist load`, each of the -n workers runs tests of every host, so each host's sshd sees up to n
connections at once at the start. sshd's default MaxStartups (10:30:100) drops unauthenticated connections past
10 at random: testinfra then fails a check with "Error reading SSH protocol banner" (paramiko) or ssh exit 255.
Grouping by host gives each host one worker and one connection (the ssh backend's ControlMaster is then reused by
every later check of that host), which is also the faster way to use testinfra on many hosts.
"""
import pytest


# tryfirst: xdist's own hook (which turns the mark into the group) must see the marks.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        host = getattr(item, "callspec", None) and item.callspec.params.get("_testinfra_host")
        if host is not None:
            item.add_marker(pytest.mark.xdist_group(name=str(host)))
