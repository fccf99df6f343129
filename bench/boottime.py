#!/usr/bin/env python3
"""make bench's paired boots: read a boot's serial log, and the section of
docs/benchmarks.md that bench/report.py writes from them.

    bench/boottime.py parse LOG     one line of boots.tsv (without the
                                    first four columns) from a serial log

bench/boot boots each pair's two images one after the other, alternating,
and writes RESULTS/boots/ (RESULTS: bench/cache):
    run.json    the run: when, how many boots, the machine, the kernel,
                QEMU, the load before and after
    boots.tsv   one line a boot: PAIR ARM INDEX IMAGE then the columns of
                FIELDS ("-" for what the log does not show); ARM is "with"
                or "without"; STATUS ok, or why the boot is not counted
    logs/       the serial logs

Times are the guest's own: the kernel's /proc/uptime as the real root's
init starts (rootfs-init prints it first), and the timestamps of the kernel
log (rootfs-init's dmesg action), in seconds since the kernel started.
"""

import json
import os
import random
import re
import statistics
import sys

from stats import quantile, utc

FIELDS = (
    "status",
    "real_root",  # /proc/uptime as the real root's /sbin/init starts
    "initramfs",  # the kernel's "Run /init as init process"
    "run1_start",  # the helper's first line, before udev
    "run1_bound",  # its first decision line
    "run1_end",  # its last line
    "modules",  # seconds the helper's first run took to load vfio-pci and
    # the modules it needs, as its own line says
    "run2_start",  # the same for its run once the root device exists
    "run2_end",
)

# What each pair compares: the image with the integration against its twin.
PAIRS = {
    "dracut-systemd": ("dracut, systemd /init", "dracut-systemd-control"),
    "dracut-shell": ("dracut, shell /init", "dracut-shell-control"),
    "mkinitramfs": ("initramfs-tools", "mkinitramfs-control"),
    "dracut-hostonly-boot": ("dracut host-only, systemd /init", "dracut-hostonly-boot-control"),
}

# The releases of tests/boot/distributions, each built in its own system
# (tests/boot/distro): its dracut image with systemd and the image its
# Debian package's trigger built (initramfs-tools), each against its control.
DISTRIBUTIONS = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tests", "boot", "distributions"
)


def distribution_pairs(path=DISTRIBUTIONS):
    """PAIRS of each release NAME, as NAME/IMAGE: NAME/CONTROL."""
    pairs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, _suite, label = line.split(maxsplit=2)
            label = label.strip()
            pairs[f"{name}/dracut-systemd"] = (f"{label}: dracut, systemd /init", f"{name}/dracut-systemd-control")
            pairs[f"{name}/package"] = (f"{label}: initramfs-tools, the package's image", f"{name}/package-control")
    return pairs


PAIRS.update(distribution_pairs())

# The document's target: the integration adds at most this share.
TARGET_SHARE = 0.01
# Fewer boots of an image than this: no interval, no verdict.
MIN_BOOTS = 2
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 17

KMSG = re.compile(r"^VFIOTEST dmesg \[\s*(\d+\.\d+)\] (.*)$")
RUN_START = re.compile(r"^vfio-bind: PCI functions .*selec")
# a line about one function that is not the selection's report of it
DECISION = re.compile(r"^vfio-bind: [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] (?!.* selected by )")
MODULES_LOADED = re.compile(r"^vfio-bind: loaded vfio-pci and the modules it needs in (\d+(?:\.\d+)?) ms$")


def parse_log(text):
    """The FIELDS of one serial log, as a dict (None: not in the log)."""
    got = dict.fromkeys(FIELDS)
    runs = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if line.startswith("VFIOTEST uptime ") and got["real_root"] is None:
            try:
                got["real_root"] = float(line.split()[2])
            except (IndexError, ValueError):
                pass
            continue
        m = KMSG.match(line)
        if not m:
            continue
        t, msg = float(m.group(1)), m.group(2)
        if msg == "Run /init as init process" and got["initramfs"] is None:
            got["initramfs"] = t
        elif msg.startswith("vfio-bind: "):
            if RUN_START.match(msg) or not runs:
                runs.append({"start": t, "bound": None, "end": t})
            run = runs[-1]
            run["end"] = t
            if run["bound"] is None and DECISION.match(msg):
                run["bound"] = t
            loaded = MODULES_LOADED.match(msg)
            if loaded and len(runs) == 1:
                got["modules"] = float(loaded.group(1)) / 1000
    for i, run in enumerate(runs[:2], 1):
        got[f"run{i}_start"] = run["start"]
        got[f"run{i}_end"] = run["end"]
        if i == 1:
            got["run1_bound"] = run["bound"]
    if got["real_root"] is None:
        got["status"] = "no-real-root"
    elif "VFIOTEST done" not in text:
        got["status"] = "unfinished"
    elif len(runs) > 2:
        got["status"] = "more-runs"
    else:
        got["status"] = "ok"
    return got


def tsv_fields(got):
    def cell(v):
        if v is None:
            return "-"
        return v if isinstance(v, str) else f"{v:.6f}"

    return "\t".join(cell(got[f]) for f in FIELDS)


# --- the statistics -----------------------------------------------------------


def quartiles(values):
    """Q1 and Q3, interpolated between the nearest ranks."""
    return quantile(values, 0.25), quantile(values, 0.75)


def median_difference_ci(a, b, level=0.95):
    """The difference of medians a - b and its percentile bootstrap interval:
    each sample resampled with replacement on its own, BOOTSTRAP_RESAMPLES
    times, from a fixed seed (the document does not change between two
    reports of the same results)."""
    rng = random.Random(BOOTSTRAP_SEED)
    diffs = sorted(
        statistics.median(rng.choices(a, k=len(a)))
        - statistics.median(rng.choices(b, k=len(b)))
        for _ in range(BOOTSTRAP_RESAMPLES)
    )
    tail = (1 - level) / 2
    lo = diffs[int(tail * (len(diffs) - 1))]
    hi = diffs[int(round((1 - tail) * (len(diffs) - 1)))]
    return statistics.median(a) - statistics.median(b), lo, hi


def verdict(lo, hi, base):
    """Against the target: met when the whole interval is within it."""
    limit = TARGET_SHARE * base
    if hi <= limit:
        return "met"
    if lo > limit:
        return "**missed**"
    return "not shown (the interval spans the target)"


# --- reading the results ------------------------------------------------------


def read_boots(path):
    """The lines of boots.tsv as dicts, times as floats."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 4 + len(FIELDS):
                raise ValueError(f"{path}:{n}: {len(cols)} columns, not {4 + len(FIELDS)}")
            row = dict(zip(("pair", "arm", "index", "image"), cols[:4]))
            for k, v in zip(FIELDS, cols[4:]):
                row[k] = v if k == "status" or v == "-" else float(v)
                if v == "-":
                    row[k] = None
            rows.append(row)
    return rows


def span(row, a, b):
    if row.get(a) is None or row.get(b) is None:
        return None
    return row[b] - row[a]


def s3(v):
    return "–" if v is None else f"{v:.2f}"


def ms(v):
    return "–" if v is None else f"{v * 1000:.0f}"


def spread(values):
    if not values:
        return "–", "–", "–"
    q1, q3 = quartiles(values)
    return s3(statistics.median(values)), f"{s3(q1)}–{s3(q3)}", f"{s3(min(values))}–{s3(max(values))}"


def guest_kernels(run):
    """Debian 12's kernel, and each release's own (run.json's kernels)."""
    others = ", ".join(f"{name}: {kver}" for name, kver in sorted(run.get("kernels", {}).items()))
    return run["kernel"] + (f", and each release's own for its images ({others})" if others else "")


def section(run, rows):
    """The document's boot section, as a list of lines."""
    out = ["## Boot timing: paired boots under QEMU", ""]
    if run.get("unavailable"):
        out += [f"Not measured: {run['unavailable']}.", ""]
        return out
    n = run["boots"]
    m = run["machine"]
    out += [
        f"Run of {utc(run['date'], '%Y-%m-%d %H:%M UTC')}, {n} boot{'s' if n != 1 else ''} of each "
        f"image, {run['seconds'] // 60} min in all, on {m['cpu']} "
        f"({m['cores']} cores), Debian {m['debian']}, host kernel "
        f"{m['host_kernel']}; the guest kernel {guest_kernels(run)}; "
        f"{run['qemu']}. Load average {run['load_before']} before, "
        f"{run['load_after']} after.",
        "",
    ]
    if run.get("note"):
        out += [f"**{run['note']}**", ""]
    out += [
        f"Each pair's two images booted the same QEMU machine (q35, one vCPU, "
        f"software emulation (TCG), intel-iommu, the GPU and audio pair, the "
        f"virtio root disk; `vfio-pci.ids=` of the pair on both), one boot at "
        f"a time, alternating (with, without; then without, with), "
        f"{n} boot{'s' if n != 1 else ''} of each image. The time is the "
        f"guest's own: `/proc/uptime` as the real root's init starts, from "
        f"the kernel's start. Medians, quartiles (interpolated) and range in "
        f"seconds; the difference is of the medians, with its 95% percentile "
        f"bootstrap interval ({BOOTSTRAP_RESAMPLES} resamples of each image's "
        f"boots on their own, seed {BOOTSTRAP_SEED}); the target: at most "
        f"{TARGET_SHARE:.0%} of the image without.",
        "",
    ]
    failed = [r for r in rows if r["status"] != "ok"]
    table = [
        "| integration | image | boots | median s | quartiles | range | difference s | 95% interval | share | ≤ 1% |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for pair, (label, control) in PAIRS.items():
        arms = {}
        for arm in ("with", "without"):
            arms[arm] = [r["real_root"] for r in rows if r["pair"] == pair and r["arm"] == arm and r["status"] == "ok"]
        if not arms["with"] and not arms["without"]:
            continue
        for arm, image in (("with", pair), ("without", control)):
            med, iqr, rng = spread(arms[arm])
            first = label if arm == "with" else ""
            if arm == "with":
                if min(len(arms["with"]), len(arms["without"])) >= MIN_BOOTS:
                    d, lo, hi = median_difference_ci(arms["with"], arms["without"])
                    base = statistics.median(arms["without"])
                    tail = (f"{d:+.2f}", f"{lo:+.2f} … {hi:+.2f}", f"{d / base:+.1%}", verdict(lo, hi, base))
                else:
                    tail = ("–", "–", "–", f"not shown (fewer than {MIN_BOOTS} boots of an image)")
            else:
                tail = ("", "", "", "")
            table.append("| " + " | ".join((first, f"`{image}`", str(len(arms[arm])), med, iqr, rng) + tail) + " |")
    out += table + [""]
    if failed:
        out += [
            "Not counted: "
            + ", ".join(f"`{r['image']}` boot {r['index']} ({r['status']})" for r in failed)
            + ".",
            "",
        ]
    out += [
        "### What the integration does in those boots",
        "",
        "From the kernel log of the boots with vfio-bind (its timestamps; "
        "medians in milliseconds, range in brackets). The helper's first run "
        "(before udev) from its first to its last line: it reads the "
        "selection, loads vfio, vfio_iommu_type1 and vfio-pci, and binds "
        "(what it does before its first line, start-up and reading the "
        "command line, is not in it). *Modules*: the part of that run spent "
        "loading vfio-pci and the modules it needs (libkmod loads its "
        "dependencies and soft dependencies with it), as the helper times it and "
        "says in its line `loaded vfio-pci and the modules it needs in … ms`; "
        "– where no boot has the line (vfio-pci was there already). *To "
        "first decision*: from the run's first line to its first line about "
        "a function: the module loading and the matching, an upper bound of "
        "the loading. Its second run, once the root device exists, where "
        "there is one: dracut's images run it only when the first left a "
        "storage controller for it (none does in these boots), "
        "initramfs-tools' always. "
        "*Between* is from the end of the first run to the start of the "
        "second: udev's coldplug and the wait for the root device, which "
        "the image without vfio-bind has too (dracut: the initqueue; "
        "initramfs-tools: the root device's wait, which local-premount/vfio-bind "
        "does before mountroot would). The time from the kernel's start to "
        "its `Run /init` is the kernel's own, the same for both images.",
        "",
        "| image | kernel until /init | /init to real root | helper run 1 | modules | to first decision | between | helper run 2 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def med_range(values):
        values = [v for v in values if v is not None]
        if not values:
            return "–"
        m = statistics.median(values)
        if len(values) == 1:
            return ms(m)
        return f"{ms(m)} [{ms(min(values))}–{ms(max(values))}]"

    for pair in PAIRS:
        for arm, image in (("with", pair), ("without", PAIRS[pair][1])):
            sel = [r for r in rows if r["pair"] == pair and r["arm"] == arm and r["status"] == "ok"]
            if not sel:
                continue
            cells = [
                med_range([r["initramfs"] for r in sel]),
                med_range([span(r, "initramfs", "real_root") for r in sel]),
                med_range([span(r, "run1_start", "run1_end") for r in sel]),
                med_range([r["modules"] for r in sel]),
                med_range([span(r, "run1_start", "run1_bound") for r in sel]),
                med_range([span(r, "run1_end", "run2_start") for r in sel]),
                med_range([span(r, "run2_start", "run2_end") for r in sel]),
            ]
            out.append("| " + " | ".join([f"`{image}`"] + cells) + " |")
    out += [""]
    out += shares(rows)
    out += [
        "Reading these figures: every boot here is software emulation (TCG, "
        "no KVM) of one CPU, many times slower than hardware for the kernel, "
        "udev, systemd and the helper alike, so the seconds are not a real "
        "machine's; a share is the better guide, and the integration's own "
        "work (the helper's runs) is measured apart from the noise in the "
        "table above. The difference of medians holds all of the "
        "integration, hook scripts and image size included, but the boots' "
        "spread on a shared host is seconds, many times 1% of the time to "
        "the real root: few boots can show the 1% target met only when the "
        "whole interval is under it, and an interval that spans it shows "
        "nothing either way. For figures to rely on, run on an otherwise "
        "idle machine with more boots, e.g. `make bench BENCH_BOOTS=15` "
        f"({len(PAIRS) * 2} images, 15 boots each, at half a minute to a "
        f"minute a boot under TCG: {len(PAIRS) * 2 * 15 // 2} to "
        f"{len(PAIRS) * 2 * 15} minutes).",
        "",
        "The initqueue: vfio-bind never asks for dracut's initqueue. Under "
        "systemd its run once the root device exists is a unit of its own, "
        "`vfio-bind-late.service`, ordered after `initrd-root-device.target` "
        "and started only when the first run left a storage controller for it "
        "(none does in these boots); the shell `/init` waits for the root "
        "device in its initqueue whatever vfio-bind does. dracut asks for the "
        "initqueue itself, when the image is built, in every image with its "
        "crypt, lvm or mdraid module (each calls `dracut_need_initqueue`), "
        "which the generic images above have, and in a host-only image built "
        "with its default `hostonly_cmdline`, which waits there for the "
        "host's devices, the root's among them (99base's module-setup.sh). "
        "The host-only pair is built with `--no-hostonly-cmdline` and none of "
        "those modules: neither of its images runs the initqueue.",
        "",
        "dracut's hook services: under systemd, vfio-bind's runs are units of "
        "their own, `vfio-bind.service` before udev and "
        "`vfio-bind-late.service` once the root device exists, which starts "
        "only when the first left it a controller. dracut starts "
        "`dracut-pre-udev.service` and `dracut-pre-mount.service` (bash with "
        "`dracut-lib.sh`, udevd waiting for the first) only when some module "
        "gives them a hook; the host-only pair's images have none, so "
        "vfio-bind adds neither service to their boots.",
        "",
    ]
    return out


def within(value, base):
    return "within" if value <= TARGET_SHARE * base else "**over**"


def shares(rows):
    """The helper's runs (the second where there is one) as a share of the
    image without vfio-bind, and the same without the module loading inside
    them."""
    out = []
    modules_over, rest_over = [], []
    for pair, (label, control) in PAIRS.items():
        with_ = [r for r in rows if r["pair"] == pair and r["arm"] == "with" and r["status"] == "ok"]
        without = [r["real_root"] for r in rows if r["pair"] == pair and r["arm"] == "without" and r["status"] == "ok"]
        both = []
        second = False
        for r in with_:
            run1, run2 = span(r, "run1_start", "run1_end"), span(r, "run2_start", "run2_end")
            if run1 is not None:
                both.append((run1 + (run2 or 0), r["modules"]))
                second = second or run2 is not None
        if not both or not without:
            continue
        helper = statistics.median(runs for runs, _ in both)
        base = statistics.median(without)
        runs_are = "two runs" if second else "one run"
        text = (
            f"- {label}: the helper's {runs_are}, {ms(helper)} ms (median, "
            f"first to last line{' of each' if second else ''}), {'are' if second else 'is'} "
            f"{helper / base:.2%} of the "
            f"median time to the real root without it ({s3(base)} s): "
            f"{within(helper, base)} the 1%."
        )
        loaded = [(runs, modules) for runs, modules in both if modules is not None]
        if loaded:
            modules = statistics.median(m for _, m in loaded)
            rest = statistics.median(runs - m for runs, m in loaded)
            text += (
                f" Loading vfio-pci and its modules takes {ms(modules)} ms of "
                f"{'them' if second else 'it'}; the rest, {ms(rest)} ms, is {rest / base:.2%}: "
                f"{within(rest, base)} the 1%."
            )
            if rest > TARGET_SHARE * base:
                rest_over.append(label)
            elif helper > TARGET_SHARE * base:
                modules_over.append(label)
        out.append(text)
    if not out:
        return out
    out = ["The helper's own share, which the boots' spread does not blur:", ""] + out + [""]
    if modules_over:
        out += [
            f"Where the helper's runs come to more than 1% ({', '.join(modules_over)}), "
            "the module loading is what goes over, and it must be paid: vfio-pci can take a device "
            "only once it is loaded, so every setup that gives a device to "
            "vfio-pci at boot loads the same modules in its initramfs (the "
            "passthrough guides with dracut's `force_drivers+=\" vfio "
            "vfio_iommu_type1 vfio_pci \"` or a line in "
            "`/etc/initramfs-tools/modules`, vfio-bind with libkmod). The "
            "images without vfio-bind here leave the vfio modules out, so the "
            "pairs charge their loading to vfio-bind; the loading is the "
            "kernel's work, slow under emulation. The runs' times are the "
            "guest's clock on one vCPU: whatever else runs meanwhile (systemd "
            "starting other units) counts in them too.",
            "",
        ]
    if rest_over:
        out += [
            f"**Over the 1% without the module loading: {', '.join(rest_over)}.** "
            "Nothing here explains that part.",
            "",
        ]
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "parse":
        with open(argv[2], encoding="utf-8", errors="replace") as f:
            print(tsv_fields(parse_log(f.read())))
        return 0
    print("usage: bench/boottime.py parse LOG", file=sys.stderr)
    return 2


def load(directory):
    """run.json and boots.tsv of RESULTS/boots, or None when there are none."""
    try:
        with open(f"{directory}/run.json", encoding="utf-8") as f:
            run = json.load(f)
    except FileNotFoundError:
        return None
    rows = []
    if not run.get("unavailable"):
        rows = read_boots(f"{directory}/boots.tsv")
    return run, rows


if __name__ == "__main__":
    sys.exit(main(sys.argv))
