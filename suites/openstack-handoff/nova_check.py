"""hwqual's Nova probe (suites/openstack-handoff): run on a lab or compute host with that host's own python3.

It imports only Nova's own modules -- no copy of any Nova function -- loads a nova-compute.conf fragment with
Nova's option definitions, asks Nova's libvirt driver what nova-compute would decide against this host's
libvirt, and prints one JSON object on stdout:

  nova_check.py config <fragment>              LibvirtDriver._check_cpu_compatibility() (nova-compute's start-up check)
  nova_check.py traits <fragment>              LibvirtDriver._get_cpu_traits() (the CPU traits the host reports)
  nova_check.py guest-model <fragment> <specs> LibvirtDriver._get_guest_cpu_model_config(flavor) for each flavor
                                               whose extra specs are an object of the JSON list <specs>

Nova or python3-libvirt missing: {"missing": ...}. Nova refusing: {"error": {"type", "message"}} with Nova's
own words. Nothing is started and nothing is written: the driver is constructed, never started (init_host).
"""
import faulthandler
import json
import sys

# A hang (a libvirtd that never answers) ends with the stack on stderr instead of waiting for the case timeout.
faulthandler.dump_traceback_later(90, exit=True)


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()
    sys.exit(0)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("config", "traits", "guest-model"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    action, fragment = argv[1], argv[2]
    try:
        import nova.conf
        from nova import version
    except ImportError as e:
        emit({"missing": "python3-nova", "why": str(e)})
    try:
        import libvirt
    except ImportError as e:
        emit({"missing": "python3-libvirt", "why": str(e)})
    v = libvirt.getVersion()
    info = {
        "nova": version.version_string(),
        "python": sys.version.split()[0],
        "libvirtClient": "%d.%d.%d" % (v // 1000000, v // 1000 % 1000, v % 1000),
    }
    try:
        conf = nova.conf.CONF
        conf(["--config-file", fragment], project="nova", default_config_files=[])
        # Read what the fragment sets now, so a bad value fails here with oslo.config's words.
        info["conf"] = {
            k: getattr(conf.libvirt, k)
            for k in ("virt_type", "cpu_mode", "cpu_models", "cpu_model_extra_flags", "hw_machine_type")
        }
        from nova.virt.libvirt import driver

        # Read-write as nova-compute opens it: Nova 31 compares with compareHypervisorCPU, which libvirt forbids on a
        # read-only connection. Nothing is started: init_host() is never called.
        drv = driver.LibvirtDriver(virtapi=None, read_only=False)
        if action == "config":
            drv._check_cpu_compatibility()
            emit(dict(info, ok=True))
        if action == "traits":
            traits = drv._get_cpu_traits()
            emit(dict(info, traits=sorted(t for t, on in traits.items() if on)))
        specs = json.loads(argv[3]) if len(argv) > 3 else [{}]
        from nova import objects

        objects.register_all()
        models = []
        for extra_specs in specs:
            flavor = objects.Flavor(
                name="hwqual", flavorid="hwqual", vcpus=1, memory_mb=256, root_gb=1, ephemeral_gb=0, swap=0,
                extra_specs=extra_specs,
            )
            try:
                cpu = drv._get_guest_cpu_model_config(flavor)
            except Exception as e:  # this flavor's guest cannot be built: Nova's words, the others still answered
                models.append({"extraSpecs": extra_specs, "error": {"type": type(e).__name__, "message": str(e)}})
                continue
            models.append({
                "extraSpecs": extra_specs,
                "mode": cpu.mode,
                "model": cpu.model,
                "features": sorted("%s:%s" % (f.policy, f.name) for f in cpu.features),
                "xml": cpu.to_xml(),
            })
        emit(dict(info, models=models))
    except SystemExit:
        raise
    except Exception as e:  # Nova's own exception and message are the result
        emit(dict(info, error={"type": type(e).__name__, "message": str(e)}))


if __name__ == "__main__":
    main(sys.argv)
