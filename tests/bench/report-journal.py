#!/usr/bin/env python3
"""A long daemon journal for the report benchmark, on standard output.

    report-journal.py RECORDS

A host of 64 groups, group 3 with a direct region: VFIO takes groups in
turn (owner -> blocked, attach -> unmanaged, detach -> blocked, back to
dma-fq), then attaches and drops two SVA PASIDs; blocking the direct
group is a critical violation (twice in its every turn), and every
250 000 records some events are lost. One record every 10 ms, so a
million records span 2.8 hours.
"""
import sys
import time

GROUPS = 64
DIRECT = 3
T0 = 1795456800  # 2026-11-23T18:00:00Z


def stamp(i):
    s, frac = divmod(i * 10_000_000, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(T0 + s)) + ".%09dZ" % frac


def transition(t, group, dev, src, dst, path, pasid=None):
    p = "null" if pasid is None else str(pasid)
    direct = "true" if group == DIRECT else "false"
    return ('{"type":"transition","time":"%s","group":%d,"device":"%s",'
            '"pasid":%s,"require_direct":%s,"from":"%s","to":"%s","path":"%s",'
            '"ret":0,"latency_ns":40000,"hook":"intel_iommu_attach_device",'
            '"comm":"qemu","pid":1200,"cpu":1}'
            % (t, group, dev, p, direct, src, dst, path))


def cycle(group):
    dev = "0000:%02x:00.0" % (group + 1)
    yield group, dev, "dma-fq", "blocked", "owner", None
    yield group, dev, "blocked", "unmanaged", "attach", None
    yield group, dev, "unmanaged", "blocked", "detach", None
    yield group, dev, "blocked", "dma-fq", "owner", None
    for pasid in (1, 2):
        yield group, dev, "none", "sva", "pasid", pasid
        yield group, dev, "sva", "none", "pasid", pasid


def main():
    n = int(sys.argv[1])
    out = sys.stdout
    out.write('{"type":"session","time":"%s","version":"0.1.0","kernel":'
              '"7.3.4+deb13-amd64","deferred_locked":true,"ops_watched":true,'
              '"not_watched":[]}\n' % stamp(0))
    for g in range(GROUPS):
        out.write('{"type":"group","group":%d,"domain":"dma-fq","devices":'
                  '["0000:%02x:00.0"],"direct":%s}\n'
                  % (g, g + 1, "true" if g == DIRECT else "false"))
    i = 0
    g = 0
    while i < n:
        for group, dev, src, dst, path, pasid in cycle(g % GROUPS):
            if i >= n:
                break
            out.write(transition(stamp(i), group, dev, src, dst, path, pasid) + "\n")
            i += 1
            if i % 250_000 == 0:
                out.write('{"type":"lost","time":"%s","count":%d}\n' % (stamp(i), 17))
        g += 1


if __name__ == "__main__":
    main()
