#!/usr/bin/env python3
"""docs/benchmarks.md from the raw results of bench/run.

    bench/report.py [--previous OLD.md] RESULTS >docs/benchmarks.md

RESULTS is the directory bench/run writes (bench/cache); its header lists
what is in it. Every number of the document is computed here from those
results; bench/run only measures. OLD.md is the document this one replaces:
when this run made no paired boots, its boot section is carried over.
"""

import fnmatch
import json
import re
import sys
from pathlib import Path

import boottime
from stats import quantile, utc

HELPER_COMMANDS = ("helper", "dry-run", "idempotent")
GROWTH_COMMANDS = HELPER_COMMANDS + ("cat-vendor", "busybox", "dash")
SHELL_COMMANDS = ("busybox", "dash")
IMAGE_PARTS = ("helper", "vfio modules", "hook scripts", "libraries", "other")
# Targets, as the document states them.
OWN_WORK_MS = 2
FASTER_THAN_SHELL = 100
LINEAR_GROWTH = 1.5
# The helper's dry run over the floor's time on the boot's path, at the
# largest size.
FLOOR_RATIO = 1.15
PEAK_KIB = 2048
IMAGE_BYTES = 65536

# What the real path needs to read more than once (helper/boot/bind.c): the
# driver link when it reads the function, once a probe in flight is over,
# after the bind and after the rollback a fake tree forces;
# driver_override when it reads the function and to wait for that probe.
REAL_PATH_READS = {"driver": 4, "driver_override": 2}

# The paths, as the paired timings name their commands (bench/run's
# time_paths) and the traces theirs: (path, helper's trace, floor's trace).
PATHS = (
    ("boot", "the boot's path", "boot-dry-run", "boot-floor"),
    ("root", "`--root`", "dry-run", "root-floor"),
)

# What each system call the helper makes more of than the floor is for, in
# its dry run over a tree (helper/shared/sysroot.c, helper/pci).
CALL_REASONS = {
    "newfstatat": "`open_text()` asks `fstat()` of every attribute it opens, "
    "so that a FIFO cannot hold the read (the floor trusts sysfs)",
    "read": "`read_to_end()` reads until a `read()` returns 0 (procfs hands out "
    "a page per read), so a one-line attribute takes two reads to the floor's one",
    "openat": "attributes besides `vendor`: `device` of each function whose "
    "vendor an entry names, and the selected functions' own",
    "close": "one for each of those opens",
    "getdents64": "`readdir()`'s 32 KiB buffer against the floor's 64 KiB",
    "fcntl": "`fdopendir()`, for each directory it reads",
}

BOOT_UNAVAILABLE = {
    "no-harness": "the QEMU boot harness (tests/boot/build) is not in this tree",
    "no-images": "tests/boot/cache/images does not exist: run 'make check-boot' "
    "first (it builds the images and boots them)",
    "no-unmkinitramfs": "unmkinitramfs (initramfs-tools-core) is not installed",
}

IMAGE_PROBLEMS = {
    "no-image": "there is no {image}.img (run tests/boot/build)",
    "cannot-unpack": "unmkinitramfs cannot unpack {image}.img",
    "no-helper": "{image}.img has no sbin/vfio-bind",
    "not-elf": "the vfio-bind in {image}.img is not the C program but a {kind} "
    "of {bytes} bytes (a stand-in from the harness's development?): rebuild "
    "the images (tests/boot/build)",
}


class ResultsError(Exception):
    pass


# --- reading the results -------------------------------------------------------


def lower_median(values):
    s = sorted(values)
    return s[(len(s) - 1) // 2]


class Timing:
    """One command's hyperfine result, in milliseconds."""

    def __init__(self, result):
        times = [t * 1000 for t in result["times"]]
        self.median = quantile(times, 0.5)
        self.p25 = quantile(times, 0.25)
        self.p75 = quantile(times, 0.75)
        self.fastest = result["min"] * 1000
        self.runs = len(times)
        self.user = result["user"] * 1000
        self.system = result["system"] * 1000


def size_key(n):
    return n if n == "-" else int(n)


def read_tsv(path):
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


class Results:
    """One run's raw results, as bench/run wrote them."""

    def __init__(self, directory):
        self.dir = Path(directory)
        try:
            self.run = json.loads((self.dir / "run.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ResultsError(f"{self.dir} holds no run (no run.json)")
        self.sizes = self.run["sizes"]
        self.ref = self.run["ref"]
        self.largest = self.sizes[-1]
        self.helper = self.run["helper"]
        self.timings = self._timings()
        self.syscalls = {}
        for n, command, call, count in read_tsv(self.dir / "syscalls.tsv"):
            key = (size_key(n), command)
            self.syscalls.setdefault(key, {})[call] = int(count)
        self.heap_calls = {}
        for n, command, call, value in read_tsv(self.dir / "heap.tsv"):
            key = (size_key(n), command)
            self.heap_calls.setdefault(key, []).append((call, int(value, 0)))
        self.reads = [
            (size_key(n), command, kind, address, attribute, int(count))
            for n, command, kind, address, attribute, count in read_tsv(
                self.dir / "reads.tsv"
            )
        ]
        self.rss_runs = {}
        for n, command, kib in read_tsv(self.dir / "rss.tsv"):
            self.rss_runs.setdefault((size_key(n), command), []).append(int(kib))
        self.mappings = self._mappings()
        self.sections = [
            (name, int(size))
            for name, size in read_tsv(self.dir / "helper-sections.tsv")
        ]
        self.boot = json.loads((self.dir / "boot.json").read_text(encoding="utf-8"))
        self.paths = self._paths()

    def _timings(self):
        timings = {}
        for path in sorted((self.dir / "hyperfine").glob("*.json")):
            n = int(path.name.split("-", 1)[0])
            for result in json.loads(path.read_text(encoding="utf-8"))["results"]:
                timings[(n, result["command"])] = Timing(result)
        return timings

    def _paths(self):
        """The rounds of the paired timings, by (size, command): each
        round's hyperfine result."""
        paths = {}
        for path in sorted((self.dir / "hyperfine" / "paths").glob("*.json")):
            n = int(path.name.split("-", 1)[0])
            for result in json.loads(path.read_text(encoding="utf-8"))["results"]:
                paths.setdefault((n, result["command"]), []).append(result)
        return paths

    def path_time(self, n, command):
        """All the rounds' runs of a command as one Timing, and each round's
        median."""
        try:
            rounds = self.paths[(n, command)]
        except KeyError:
            raise ResultsError(f"no paired timing of {command} on {n} functions")
        times = [t for result in rounds for t in result["times"]]
        runs = sum(len(result["times"]) for result in rounds)
        merged = {
            "times": times,
            "min": min(times),
            "user": sum(r["user"] * len(r["times"]) for r in rounds) / runs,
            "system": sum(r["system"] * len(r["times"]) for r in rounds) / runs,
        }
        return Timing(merged), [1000 * quantile(r["times"], 0.5) for r in rounds]

    def _mappings(self):
        """Resident KiB by what is mapped, most first, from smaps."""
        path = self.dir / "smaps"
        if not path.exists():
            return []
        rss = {}
        name = None
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):
                name = fields[5].rsplit("/", 1)[-1] if len(fields) >= 6 else "anonymous"
            elif fields and fields[0] == "Rss:" and name is not None:
                rss[name] = rss.get(name, 0) + int(fields[1])
        return sorted(
            ((kib, name) for name, kib in rss.items() if kib > 0),
            key=lambda m: (-m[0], m[1]),
        )

    def time(self, n, command):
        try:
            return self.timings[(n, command)]
        except KeyError:
            raise ResultsError(f"no timing of {command} on {n} functions")

    def calls(self, n, command):
        try:
            return sum(self.syscalls[(n, command)].values())
        except KeyError:
            raise ResultsError(f"no system calls of {command} on {n} functions")

    def processes(self, n, command):
        counts = self.syscalls.get((n, command), {})
        return sum(counts.get(c, 0) for c in ("clone", "clone3", "fork", "vfork"))

    def heap_kib(self, n, command):
        """Anonymous read-write mappings plus how far the break moved."""
        calls = self.heap_calls.get((n, command), [])
        anon = sum(v for call, v in calls if call == "mmap")
        brk = [v for call, v in calls if call == "brk"]
        moved = max(brk) - brk[0] if brk else 0
        return (anon + moved) // 1024

    def rss(self, n, command):
        runs = self.rss_runs.get((n, command))
        return lower_median(runs) if runs else None


# --- what several sections share -------------------------------------------------


class Derived:
    """The numbers computed from the results that more than one section
    shows or judges by."""

    def __init__(self, r):
        self.r = r
        self.calls_per_function = {
            n: (r.calls(n, "helper") - r.calls(0, "helper")) / n for n in r.sizes
        }
        self.growth = {
            field: {c: self.growth_costs(field, c)[1] for c in GROWTH_COMMANDS}
            for field in ("median", "fastest")
        }
        self.growth_why = self.explain_growth()
        self.reads = self.read_table()
        self.max_reads = max(
            (m for row in self.reads for c, m in row["max"].items() if c != "helper"),
            default=0,
        )
        self.extra = self.helper_reads_over(lambda attr: REAL_PATH_READS.get(attr, 1))
        self.reread = self.helper_reads_over(lambda attr: 1)
        self.max_rss = max(
            r.rss(n, c) or 0 for n in [0] + r.sizes for c in HELPER_COMMANDS
        )
        self.images = [image_size(r, rec) for rec in r.boot["images"]]
        self.beyond = [i for i in self.images if "problem" not in i]
        self.paths = {
            (n, path): path_figures(r, n, path) for n in r.sizes for path, *_ in PATHS
        }

    def growth_costs(self, field, command):
        """Microseconds per function at each size after the empty tree's,
        and the largest size's over the reference size's."""
        r = self.r
        base = "helper" if command in HELPER_COMMANDS else command
        empty = getattr(r.time(0, base), field)
        costs = [
            1000 * (getattr(r.time(n, command), field) - empty) / n for n in r.sizes
        ]
        return costs, costs[-1] / costs[r.sizes.index(r.ref)]

    def user_per_function(self, n):
        r = self.r
        return 1000 * (r.time(n, "helper").user - r.time(0, "helper").user) / n

    def read_table(self):
        """Per attribute (selected functions first, then by name), the most
        reads by one function for each command, and how many functions the
        dry run read it of."""
        rows = {}
        for command in ("dry-run", "idempotent", "helper"):
            counts = {}
            for n, c, kind, _, attribute, reads in self.r.reads:
                if n == self.r.ref and c == command:
                    counts.setdefault((kind, attribute), []).append(reads)
            for key in sorted(counts, key=lambda k: (k[0] != "selected", k[0], k[1])):
                row = rows.setdefault(
                    key, {"kind": key[0], "attribute": key[1], "max": {}, "by": None}
                )
                row["max"][command] = max(counts[key])
                if command == "dry-run":
                    row["by"] = len(counts[key])
        return list(rows.values())

    def helper_reads_over(self, limit):
        return ", ".join(
            f"`{row['attribute']}` {row['max']['helper']} times"
            for row in self.reads
            if row["max"].get("helper", 0) > limit(row["attribute"])
        )

    def explain_growth(self):
        """Why the time per function grows though the helper's work does
        not, when the results say so."""
        r = self.r
        per = self.calls_per_function
        user_ref = self.user_per_function(r.ref)
        user_largest = self.user_per_function(r.largest)
        if not (
            self.growth["fastest"]["helper"] > LINEAR_GROWTH
            and user_largest <= LINEAR_GROWTH * user_ref
            and per[r.largest] <= 1.05 * per[r.ref]
        ):
            return None
        return (
            "the helper's own work per function does not grow: its system "
            "calls per function stay flat (see System calls) and so does its "
            f"user time per function ({user_ref:.2f} µs at {r.ref}, "
            f"{user_largest:.2f} µs at {r.largest}); what grows is system "
            f"time, the kernel's path lookups in a tree of {r.largest} "
            "functions, which other work on the machine slows too (load "
            f"average {r.run['load_before']:.2f} when the run began; "
            "cat-vendor, which does no matching, grew "
            f"{self.growth['fastest']['cat-vendor']:.2f}× in the same run)"
        )


def path_figures(r, n, path):
    """The helper's dry run and the floor on one path: their timings, the
    ratio of each round's medians, and the median of those (what the target
    judges: each round times both within seconds of each other)."""
    helper, helper_rounds = r.path_time(n, f"{path}-helper")
    floor, floor_rounds = r.path_time(n, f"{path}-floor")
    ratios = [h / f for h, f in zip(helper_rounds, floor_rounds)]
    return {
        "helper": helper,
        "floor": floor,
        "ratios": ratios,
        "ratio": quantile(ratios, 0.5),
    }


def calls_per_function(r, n, command):
    """Each system call's calls per function at n, after the empty tree's
    (the helper's, for its commands under --root, as in System calls)."""
    at_n = r.syscalls.get((n, command))
    empty = r.syscalls.get((0, "helper" if command in HELPER_COMMANDS else command))
    if at_n is None or empty is None:
        raise ResultsError(f"no system calls of {command} on {n} and 0 functions")
    return {
        call: (at_n.get(call, 0) - empty.get(call, 0)) / n for call in set(at_n) | set(empty)
    }


def image_files(path):
    files = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        size, name = line.split(" ", 1)
        files[name] = int(size)
    return files


def image_part(path):
    """Which part of the integration a file of an image belongs to."""
    for part, patterns in (
        ("helper", ("*/sbin/vfio-bind", "sbin/vfio-bind")),
        ("vfio modules", ("*/drivers/vfio/*", "*/irqbypass.ko*", "*/lib/modules/*/modules.*")),
        ("hook scripts", ("*vfio-bind*", "*vfio_bind*")),
        ("libraries", ("*.so", "*.so.*")),
    ):
        if any(fnmatch.fnmatchcase(path, p) for p in patterns):
            return part
    return "other"


def image_size(r, record):
    """What an image adds over its control: the bytes of the files that are
    new in it or larger, by part; or why it cannot say."""
    image = record["image"]
    problem = record["problem"] or record["control_problem"]
    if problem:
        return {"image": image, "problem": problem_text(problem)}
    old = image_files(r.dir / "images" / f"{image}-control.list")
    parts = dict.fromkeys(IMAGE_PARTS, 0)
    for path, size in image_files(r.dir / "images" / f"{image}.list").items():
        grown = size - old.get(path, 0)
        if grown > 0:
            parts[image_part(path)] += grown
    return {
        "image": image,
        "built": record["built"],
        "bytes": record["bytes"],
        "control_bytes": record["control_bytes"],
        "parts": parts,
        "beyond": sum(v for k, v in parts.items() if k != "vfio modules"),
    }


def problem_text(problem):
    return IMAGE_PROBLEMS[problem["problem"]].format(**problem)


# --- formats ----------------------------------------------------------------------


def ms(v):
    """Milliseconds as the tables show them."""
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(t):
    return f"{ms(t.median)} [{ms(t.p25)}–{ms(t.p75)}]"


def verdict(ok):
    return "met" if ok else "**missed**"


def row(*cells):
    return "|" + "".join(f" {c} |" if str(c) else " |" for c in cells)


def table(header, align, rows):
    return [row(*header), "|" + "|".join(align) + "|", *rows, ""]


def right(n):
    return ["---:"] * n


# --- the sections ------------------------------------------------------------------


def header(r):
    return [
        "# Benchmarks",
        "",
        "<!-- Generated by `make bench` (bench/run measures, bench/report.py writes). Do not edit: rerun it. -->",
        "",
        "What vfio-bind costs on the boot path, measured next to the shell loop",
        "that passthrough guides put in the initramfs. Generated by",
        f"`make bench` on {utc(r.run['date'], '%Y-%m-%d')}; every number below is measured by",
        "that run or read from the boot tests' images.",
        "",
    ]


def own_work(r, n):
    return r.time(n, "helper").median - r.time(0, "helper").median


def own_work_target(r, n):
    return row(
        f"helper's own work on {n} functions under {OWN_WORK_MS} ms",
        f"{ms(own_work(r, n))} ms (median {ms(r.time(n, 'helper').median)} ms "
        "with process start-up)",
        verdict(own_work(r, n) < OWN_WORK_MS),
    )


def proc_devices_limit():
    """PCI_PROC_MAX_FUNCTIONS, where helper/pci/pci-proc.h decides it."""
    header = (Path(__file__).resolve().parent.parent / "helper" / "pci" / "pci-proc.h").read_text()
    return int(re.search(r"#define PCI_PROC_MAX_FUNCTIONS ([0-9]+)", header)[1])


def shell_target(r):
    helper = r.time(r.ref, "helper").median
    busybox = r.time(r.ref, "busybox").median
    # Judged as shown: a ratio shown as 100× meets it.
    ratio = round(busybox / helper)
    return row(
        f"at least {FASTER_THAN_SHELL}× faster than the busybox sh loop on "
        f"{r.ref} functions",
        f"{ratio}× ({ms(busybox)} ms ÷ {ms(helper)} ms, whole processes)",
        verdict(ratio >= FASTER_THAN_SHELL),
    )


def linear_target(r, d):
    growth = d.growth["fastest"]["helper"]
    per_function = "".join(f" {d.calls_per_function[n]:.2f} ({n})" for n in r.sizes)
    if growth <= LINEAR_GROWTH:
        judged = "met"
    elif d.growth_why:
        judged = "**missed** in time, in the kernel's share (see below)"
    else:
        judged = "**missed**"
    return row(
        "cost linear in the number of functions",
        f"system calls per function{per_function}; time per function at "
        f"{r.largest} is {growth:.2f}× that at {r.ref} (fastest runs; medians: "
        f"{d.growth['median']['helper']:.2f}×)",
        judged,
    )


def reads_target(d):
    target = "no more than one open/read per attribute it needs"
    most = f"dry-run and idempotent: at most {d.max_reads} read of one attribute of one function"
    if not d.extra:
        return row(
            target,
            f"{most}; real path: only what the bind needs more than once (see below)",
            verdict(d.max_reads <= 1),
        )
    return row(
        target,
        f"{most} ({verdict(d.max_reads <= 1)}); real path: each selected "
        f"function's {d.extra} (see below)",
        "**missed** on the real path",
    )


def memory_target(r, d):
    at_ref = max((r.rss(r.ref, c) or 0 for c in HELPER_COMMANDS), default=0)
    return row(
        "peak memory under 2 MiB",
        f"{d.max_rss} KiB at most (all sizes, all paths); {at_ref} KiB at most "
        f"on {r.ref} functions",
        verdict(d.max_rss < PEAK_KIB),
    )


def image_target(d):
    target = "under 64 KiB added to an image beyond the vfio modules"
    if not d.beyond:
        return row(target, "not measured (see below)", "–")
    most = max(d.beyond, key=lambda i: (i["beyond"], i["image"]))
    return row(
        target,
        f"{most['beyond']} bytes at most ({most['image']}; the helper itself "
        f"{most['parts']['helper']})",
        verdict(most["beyond"] < IMAGE_BYTES),
    )


def floor_target(r, d):
    n = r.largest
    boot, root = d.paths[(n, "boot")], d.paths[(n, "root")]
    return row(
        f"helper within {FLOOR_RATIO}× of the floor on the boot's path on {n} functions",
        f"{boot['ratio']:.2f}× ({ms(boot['helper'].median)} ms ÷ "
        f"{ms(boot['floor'].median)} ms, dry run ÷ floor; median of "
        f"{len(boot['ratios'])} paired rounds, "
        f"{min(boot['ratios']):.2f}–{max(boot['ratios']):.2f}×); under `--root` "
        f"{root['ratio']:.2f}×",
        verdict(boot["ratio"] <= FLOOR_RATIO),
    )


def targets(r, d):
    rows = [
        own_work_target(r, r.ref),
        own_work_target(r, r.largest),
        floor_target(r, d),
        shell_target(r),
        linear_target(r, d),
        reads_target(d),
        memory_target(r, d),
        image_target(d),
    ]
    return (
        ["## Targets", ""]
        + table(["target", "measured", ""], ["---"] * 3, rows)
        + [
            "*Own work* is the median minus the median on a tree with no PCI",
            "function (process start-up, dynamic linking, reading the command",
            "line). *Growth* counts as linear when the time per function at the",
            f"largest size is within {LINEAR_GROWTH}× of that at {r.ref}, in each command's fastest",
            "run (the least disturbed by other work on the machine).",
            "",
        ]
        + misses(r, d)
    )


def misses(r, d):
    """What the results say about each target the run missed, and about the
    real path's repeated reads."""
    lines = []
    if d.reread and not d.extra:
        lines += [
            "- **Reads on the real path.** Only what the bind needs is read more",
            f"  than once there ({d.reread}). `driver_override` again before the",
            "  unbind: the kernel shows it under the device lock, which a probe in",
            "  flight holds (`driver_override_show()`, drivers/pci/pci-sysfs.c), so",
            "  the read returns once that probe is over; the `driver` link then, to",
            "  see where that probe went, after the bind to confirm it, and after",
            "  the rollback that a fake tree forces.",
        ]
    elif d.reread:
        lines += [
            "- **Reads on the real path.** There the helper reads each selected",
            f"  function's {d.reread}: before the bind, to confirm",
            "  it, and after rolling it back (a fake tree never attaches vfio-pci).",
            "  Confirming and reporting where the function ended up need the",
            "  `driver` link only; the helper wrote `driver_override` itself, and",
            "  `iommu_group` does not change.",
        ]
    if own_work(r, r.largest) >= OWN_WORK_MS:
        lines += largest_own_work_miss(r, d)
    if d.paths[(r.largest, "boot")]["ratio"] > FLOOR_RATIO:
        lines += floor_miss(r, d)
    growth = d.growth["fastest"]["helper"]
    if growth > LINEAR_GROWTH:
        why = d.growth_why
        if why:
            lines.append(f"- **Growth.** {why[0].upper()}{why[1:]}.")
        else:
            lines.append(
                f"- **Growth.** The time per function at {r.largest} is "
                f"{growth:.2f}× that at {r.ref} in the fastest runs; see Growth below."
            )
    if d.max_rss >= PEAK_KIB and r.mappings:
        lines += peak_memory_miss(r, d)
    if any(i["beyond"] >= IMAGE_BYTES for i in d.beyond):
        stripped = r.helper["stripped"]
        lines += [
            "- **Image size.** The helper itself is",
            "  "
            + ", ".join(f"{i['parts']['helper']} bytes in {i['image']}" for i in d.beyond),
            "  (as installed, or as the builder strips it); stripped of all symbols",
            f"  it is {stripped if stripped is not None else '?'} bytes. Its sections are listed under",
            "  *What the integration adds to an initramfs*.",
        ]
    return lines + [""]


def largest_own_work_miss(r, d):
    limit = proc_devices_limit()
    n = r.largest
    lines = [
        f"- **Own work on {n} functions.** Up to {limit} functions the helper",
        "  rules out those no entry can match from one read of",
        "  `/proc/bus/pci/devices`; beyond, it reads each function's `vendor`",
        "  from sysfs (open, read, close: the system calls below). The file",
        "  cannot go further: the kernel hands it out a page per `read()`",
        "  (`seq_read_iter()`, fs/seq_file.c) and finds each page's first device",
        "  by walking its device list from the head (`pci_seq_start()`,",
        "  drivers/pci/proc.c), about N×N/30 steps of `pci_get_device()` for N",
        "  functions: beyond about a thousand, more than the sysfs reads it",
        "  saves. No other file lists every function's IDs. Here the file is a",
        "  plain file on tmpfs, cheap at any size, so a limit tuned on these",
        "  trees would be fast here and slow on a host.",
    ]
    budget = 1000 * OWN_WORK_MS / n
    system = 1000 * (r.time(n, "helper").system - r.time(0, "helper").system) / n
    if system >= budget:
        lines += [
            f"  The target leaves {budget:.2f} µs a function at {n}; reading one",
            "  attribute of each costs more than that in the kernel alone: the",
            f"  helper's system time is {system:.2f} µs a function at {n} here",
            f"  ({d.calls_per_function[n]:.2f} system calls a function).",
        ]
    return lines


def more_calls(r, n, helper, floor):
    """(call, helper's per function, floor's, difference), the calls the
    helper makes more of first."""
    h = calls_per_function(r, n, helper)
    f = calls_per_function(r, n, floor)
    rows = [(c, h.get(c, 0), f.get(c, 0), h.get(c, 0) - f.get(c, 0)) for c in set(h) | set(f)]
    return sorted(rows, key=lambda x: (-x[3], x[0]))


def opened_per_function(r, n, command):
    """(attribute, opens per function) of every function's attributes the
    command opened on n functions, most first."""
    opens = {}
    for size, c, _, _, attribute, reads in r.reads:
        if size == n and c == command:
            opens[attribute] = opens.get(attribute, 0) + reads
    return sorted(((a, k / n) for a, k in opens.items()), key=lambda x: (-x[1], x[0]))


def floor_miss(r, d):
    n = r.largest
    p = d.paths[(n, "boot")]
    helper, floor = p["helper"], p["floor"]
    more = [x for x in more_calls(r, n, "boot-dry-run", "boot-floor") if x[3] >= 0.005]
    h_total = sum(v for v in calls_per_function(r, n, "boot-dry-run").values())
    f_total = sum(v for v in calls_per_function(r, n, "boot-floor").values())
    listed = ", ".join(f"`{c}` +{diff:.2f}" for c, _, _, diff in more)
    lines = [
        f"- **The boot's path on {n} functions.** The helper's dry run takes "
        f"{p['ratio']:.2f}× the floor's",
        f"  time there: {ms(helper.median - floor.median)} ms more, "
        f"{1000 * (helper.median - floor.median) / n:.2f} µs a function "
        f"(user {1000 * (helper.user - floor.user) / n:+.2f} µs, system "
        f"{1000 * (helper.system - floor.system) / n:+.2f} µs a function, hyperfine's means).",
        f"  It makes {h_total:.2f} system calls a function to the floor's {f_total:.2f}: "
        f"{listed}.",
    ]
    for c, _, _, _ in more:
        if c in CALL_REASONS:
            lines.append(f"  `{c}`: {CALL_REASONS[c]}.")
    opened = opened_per_function(r, n, "boot-dry-run")
    if opened:
        lines.append(
            "  Attributes it opens, per function: "
            + ", ".join(f"`{a}` {k:.3f}" for a, k in opened)
            + " (the floor: `vendor` 1)."
        )
    lines.append("  The figures are in *The boot's path and the floor* below.")
    return lines


def peak_memory_miss(r, d):
    total = sum(kib for kib, _ in r.mappings)
    libc = sum(kib for kib, name in r.mappings if re.match(r"libc\.so|ld-linux", name))
    own = sum(kib for kib, name in r.mappings if name == "vfio-bind")
    libs = [
        (kib, name)
        for kib, name in r.mappings
        if re.match(r"lib.*\.so", name) and not name.startswith("libc.so")
    ]
    libs_kib = sum(kib for kib, _ in libs)
    other = total - libs_kib - libc - own
    first = f"  counts them): {libc} KiB libc and the dynamic linker"
    if libs_kib:
        listed = ", ".join(f"{name} {kib}" for kib, name in libs)
        first += f", {libs_kib} KiB other shared libraries ({listed} KiB)"
    first += f", {own} KiB the helper's own code and data, {other} KiB stack, heap and"
    lines = [
        "- **Peak memory.** Before it reads anything the helper is already",
        f"  {total} KiB resident (shared file pages included, as `time -v`",
        first,
        f"  the rest; `/bin/true` is {r.rss('-', 'true')} KiB on this machine.",
    ]
    if r.helper["kmod_libraries"]:
        lines.append(
            f"  libkmod brings {', '.join(r.helper['kmod_libraries'])} with it, and "
            "they are loaded at start even where no module is loaded (`--root`, "
            "or vfio-pci already loaded)."
        )
    return lines + [
        f"  Its peak, {d.max_rss} KiB, is {d.max_rss - r.rss(0, 'helper')} KiB above its run on the",
        "  empty tree; that is what the functions add. Its heap (anonymous",
        "  mappings and program break, from the strace traces) is",
        f"  {r.heap_kib(0, 'helper')} KiB on the empty tree and",
        f"  {r.heap_kib(r.largest, 'helper')} KiB on {r.largest} functions.",
    ]


def package(p):
    return f"{p['version']} ({p['package']})" if p else "unknown"


def trees_on(trees):
    if trees["wanted"]:
        return f"{trees['fs']} ({trees['path']}; {trees['wanted']} is not a writable tmpfs)"
    return f"{trees['fs']} ({trees['path']})"


def machine(r):
    run, m, tools, helper = r.run, r.run["machine"], r.run["tools"], r.helper
    cpu = m["cpu"] or "unknown"
    if m["hypervisor"]:
        cpu += f" (virtual machine, {m['hypervisor']})"
    rows = [
        row("date", utc(run["date"], "%Y-%m-%d %H:%M UTC")),
        row("CPU", cpu),
        row("cores", m["cores"]),
        row("memory", f"{m['memory_kib'] / 1048576:.1f} GiB"),
        row("kernel", m["kernel"]),
        row("Debian", m["debian"] or "unknown"),
        row(
            "load average before the run",
            f"{run['load_before']:.2f} (after: {run['load_after']:.2f})",
        ),
        row("fake trees on", trees_on(run["trees"])),
        row(
            "vfio-bind",
            f"{helper['version']}, source tree {helper['source']}, {helper['bytes']} bytes",
        ),
        row("hyperfine", package(tools["hyperfine"])),
        row("busybox", package(tools["busybox"])),
        row("dash", package(tools["dash"])),
        row("strace", package(tools["strace"])),
        row("GNU time", package(tools["time"])),
        row("vfio-bind built by", ";".join(helper["compilers"])),
    ]
    lines = ["## Machine and tools", ""] + table(["", ""], ["---"] * 2, rows)
    if run.get("note"):
        lines += [f"**{run['note']}**", ""]
    if run["load_before"] > m["cores"] / 2:
        lines += [
            f"**The machine was busy** (load average {run['load_before']:.2f} on {m['cores']} cores",
            "when the run began): other work competed for the CPU, so times are",
            "higher and spreads wider than on an idle machine. Medians and",
            "quartiles are reported because they resist that better than means.",
            "",
        ]
    if run["quick"]:
        lines += [
            "**BENCH_QUICK=1**: few repetitions; these numbers are a smoke test,",
            "not results.",
            "",
        ]
    return lines


def method(r):
    helper_runs = " ".join(str(r.time(n, "helper").runs) for n in r.sizes)
    shell_runs = " ".join(str(r.time(n, "busybox").runs) for n in r.sizes)
    sizes = " ".join(str(n) for n in r.sizes)
    return [
        "## What is measured",
        "",
        "Each size is a fake system tree, as `vfio-bind --root` reads it and as",
        "`tests/unit/fake-sysfs.bash` lays it out, made by `bench/tree.bash`:",
        "N PCI functions, each with its own IOMMU group, most on a host driver.",
        f"`vfio-pci.ids={r.run['ids']}` selects four of them (two GPU + HDMI",
        "audio pairs on nouveau and snd_hda_intel); of the others, 2 in 16 share",
        "the selected vendor (so matching must read `device` too) and the rest",
        "are chipset, NIC and NVMe functions. Commands, timed with hyperfine",
        "(`-N`, no shell in between), with both trees put back before every run:",
        "",
        "- **helper**: `vfio-bind --root TREE`, the real path: it writes",
        "  `driver_override`, `unbind`, `bind`, reads the driver back and,",
        "  since no kernel attaches vfio-pci to a fake tree, rolls back and exits",
        "  3 (each run is checked to do exactly that). Modules are never loaded",
        "  under `--root`.",
        "- **dry-run**: `vfio-bind --root TREE --dry-run`: the same reads,",
        "  no writes.",
        "- **idempotent**: `vfio-bind --root TREE` on the same tree with the",
        "  four functions already on vfio-pci with `driver_override=vfio-pci`:",
        "  a second run, which writes nothing.",
        "- **busybox** / **dash**: `bench/guide-pattern.sh`, the loop the",
        "  passthrough guides copy (`cat` of `vendor` and `device` for every",
        "  function; for a match, `driver_override`, `unbind`,",
        "  `drivers_probe`), POSIX sh, run by `busybox sh` (whose `cat` is",
        "  busybox's own, run as in an initramfs) and by `dash` (coreutils",
        "  `cat`). It is checked to set exactly the four overrides.",
        "- **start-up**: `vfio-bind --version`, and every command on a tree",
        "  with no PCI function: what a run costs before it reads any device.",
        "  *Own work* below is the median minus the helper's median on that",
        "  empty tree.",
        "",
        *method_paths(r),
        f"Repetitions: helper commands {helper_runs}, shell loops {shell_runs} "
        f"(for {sizes} functions).",
        "Times are medians in milliseconds with the interquartile range",
        "[25th–75th percentile]; raw data is in `bench/cache/hyperfine/`.",
        "",
    ]


def method_paths(r):
    path_runs = " ".join(str(r.path_time(n, "boot-helper")[0].runs) for n in r.sizes)
    hidden = ", ".join(f"`{p}`" for p in r.run.get("hidden_config", []))
    return [
        "The boot's path. The commands above give the helper `--root TREE`,",
        "where it opens every path with `openat2(RESOLVE_IN_ROOT)` on an fd of",
        "TREE (helper/shared/sysroot.c); at boot its root is `/`, and it opens",
        "them with plain `openat()` on an fd of `/`. Both are timed side by side,",
        "with the helper's dry run (reads only: nothing loaded, nothing bound) and",
        "a floor:",
        "",
        "- **boot-helper**: `vfio-bind --dry-run` with the tree as `/`: in a",
        "  private mount namespace (`unshare --mount`, made for each hyperfine",
        "  run and gone with it) the tree's `sys` is bound over `/sys`, its",
        "  `proc/cmdline` and `proc/bus/pci` over `/proc`'s and its `dev/kmsg`",
        "  over `/dev/kmsg`, and an empty directory over each of the helper's",
        f"  configuration directories the host has ({hidden or 'none here'}),",
        "  as the trees have none (`bench_boot_root`, bench/tree.bash). The",
        "  helper, its libraries and the rest of `/` stay the host's, as in an",
        "  initramfs: the helper runs from `/` and its walks cross into `/sys`",
        "  from `/`, as at boot, and hyperfine itself runs in the namespace, so",
        "  no launcher (`chroot`, `nsenter`) is timed with each run. A chroot",
        "  would have needed the helper and its libraries copied into every",
        "  tree, and a process to enter it for each run. Each run is checked",
        "  beforehand to read the tree and not the host: its output (the plan",
        "  and every message) is that of `--root TREE`, and the floor counts",
        "  the tree's functions.",
        "- **root-helper**: `vfio-bind --root TREE --dry-run`, as **dry-run** above.",
        "- **boot-floor** / **root-floor**: `bench/floor.c`, built with the",
        "  helper's compiler flags, doing only what no helper can leave out:",
        "  it lists `sys/bus/pci/devices` (`getdents64()`) and reads each",
        "  function's `vendor` (`openat()`, one `read()`, `close()`), resolving",
        "  each path from the root's fd as the helper does: plain `openat()` on",
        "  `/`, or `openat2(RESOLVE_IN_ROOT)` with `--root TREE`. It reads no",
        "  command line and no configuration, matches nothing, and links libc",
        "  alone (the helper also links libblkid).",
        "",
        "Pairing: hyperfine runs each command's runs in a row, so each size is",
        f"timed in {r.run.get('path_rounds', '?')} rounds, each one hyperfine run of the four commands",
        "(a few runs each after 3 warm-up runs, the next round in the reverse",
        "order), all within one namespace for the round. *helper ÷ floor* is",
        "the median over the rounds of the helper's median over the floor's in",
        "the same round, so that a change in the machine's load between rounds",
        f"cancels out. Runs of each command, all rounds: {path_runs} (for {sizes_text(r)}",
        "functions).",
        "",
    ]


def sizes_text(r):
    return " ".join(str(n) for n in r.sizes)


def paths_section(r, d):
    rows = []
    for n in r.sizes:
        for path, name, _, _ in PATHS:
            p = d.paths[(n, path)]
            rows.append(
                row(
                    n,
                    name,
                    cell(p["helper"]),
                    cell(p["floor"]),
                    f"{p['ratio']:.2f}×",
                    f"{min(p['ratios']):.2f}–{max(p['ratios']):.2f}×",
                    f"{1000 * (p['helper'].median - p['floor'].median) / n:.2f}",
                )
            )
    n = r.largest
    lines = [
        "## The boot's path and the floor",
        "",
        "The helper's dry run and the floor on the boot's path (the tree as",
        "`/`, plain `openat()`) and under `--root` (`openat2(RESOLVE_IN_ROOT)`),",
        "in paired rounds (see *What is measured*); medians in milliseconds with",
        "the interquartile range, all rounds' runs together; *µs a function more*",
        "is the difference of the medians over the number of functions.",
        "",
        *table(
            [
                "functions", "path", "helper (dry run)", "floor", "helper ÷ floor",
                "rounds", "µs a function more",
            ],
            ["---:", "---"] + right(5),
            rows,
        ),
        f"Where the time goes on {n} functions (hyperfine's means of user and",
        "system time, microseconds a function):",
        "",
    ]
    cpu = []
    for path, name, _, _ in PATHS:
        p = d.paths[(n, path)]
        for who in ("helper", "floor"):
            t = p[who]
            cpu.append(
                row(name, who, f"{1000 * t.user / n:.2f}", f"{1000 * t.system / n:.2f}")
            )
    lines += table(["path", "", "user", "system"], ["---"] * 2 + right(2), cpu)
    lines += [
        f"System calls per function on {n} functions by system call, from one",
        "traced run of each (strace `-f`): (calls at N − calls on the empty tree)",
        "÷ N. *More* is the helper's over the floor's on the boot's path.",
        "",
    ]
    per = {
        (path, who): calls_per_function(r, n, trace)
        for path, _, helper, floor in PATHS
        for who, trace in (("helper", helper), ("floor", floor))
    }
    boot_more = {c: diff for c, _, _, diff in more_calls(r, n, "boot-dry-run", "boot-floor")}
    shown = sorted(
        (c for c in set().union(*per.values()) if any(abs(v.get(c, 0)) >= 0.005 for v in per.values())),
        key=lambda c: (-boot_more.get(c, 0), c),
    )
    calls = [
        row(
            f"`{c}`",
            *(f"{per[(path, who)].get(c, 0):.2f}" for path, *_ in PATHS for who in ("helper", "floor")),
            f"{boot_more[c]:+.2f}" if boot_more.get(c) else "",
        )
        for c in shown
    ]
    calls.append(
        row(
            "**total**",
            *(f"{sum(per[(path, who)].values()):.2f}" for path, *_ in PATHS for who in ("helper", "floor")),
            f"{sum(per[('boot', 'helper')].values()) - sum(per[('boot', 'floor')].values()):+.2f}",
        )
    )
    lines += table(
        [
            "system call", "helper, boot", "floor, boot", "helper, `--root`",
            "floor, `--root`", "more",
        ],
        ["---"] + right(5),
        calls,
    )
    opened = opened_per_function(r, n, "boot-dry-run")
    if opened:
        lines += [
            f"Attributes the helper's dry run opens on the boot's path, per function on {n}:",
            ", ".join(f"`{a}` {k:.3f}" for a, k in opened) + "; the floor opens `vendor`, 1.",
            "",
        ]
    return lines


def time_section(r):
    empty = r.time(0, "helper").median
    rows = []
    for n in r.sizes:
        t = {c: r.time(n, c) for c in HELPER_COMMANDS + SHELL_COMMANDS}
        helper = t["helper"].median
        rows.append(
            row(
                n,
                cell(t["helper"]),
                ms(helper - empty),
                cell(t["dry-run"]),
                cell(t["idempotent"]),
                cell(t["busybox"]),
                cell(t["dash"]),
                f"{t['busybox'].median / helper:.0f}×",
                f"{t['dash'].median / helper:.0f}×",
            )
        )
    return [
        "## Time",
        "",
        f"Start-up: `vfio-bind --version` {cell(r.time(0, 'version'))} ms; on a tree with",
        f"no function: helper {cell(r.time(0, 'helper'))}, busybox sh {cell(r.time(0, 'busybox'))},",
        f"dash {cell(r.time(0, 'dash'))} ms.",
        "",
    ] + table(
        [
            "functions", "helper", "own work", "dry-run", "idempotent",
            "busybox sh", "dash", "busybox ÷ helper", "dash ÷ helper",
        ],
        right(9),
        rows,
    )


def growth_table(r, d, field, name):
    rows = []
    for command in GROWTH_COMMANDS:
        costs, ratio = d.growth_costs(field, command)
        rows.append(row(command, *(f"{c:.2f}" for c in costs), f"{ratio:.2f}"))
    return table(
        [name, *r.sizes, f"largest ÷ {r.ref}"], ["---"] + right(len(r.sizes) + 1), rows
    )


def cpu_table(r):
    """The helper's user and system time, and per function."""
    empty = r.time(0, "helper")
    rows = [row(0, ms(empty.user), ms(empty.system), "", "")]
    for n in r.sizes:
        t = r.time(n, "helper")
        rows.append(
            row(
                n,
                ms(t.user),
                ms(t.system),
                f"{1000 * (t.user - empty.user) / n:.2f}",
                f"{1000 * (t.system - empty.system) / n:.2f}",
            )
        )
    return table(
        ["functions", "user", "system", "user per function", "system per function"],
        right(5),
        rows,
    )


def growth(r, d):
    lines = [
        "## Growth with the number of functions",
        "",
        "Cost per function: (time at N − time on the empty tree) ÷ N, in",
        "microseconds. Linear growth keeps it flat; the last column is the",
        f"largest size's cost per function over the cost at {r.ref}. *cat-vendor*",
        "is a reference for what the kernel charges: one process that reads",
        "every function's `vendor` (`dash -c 'exec cat TREE/sys/bus/pci/devices/*/vendor'`),",
        "without any matching. First from the medians, then from the fastest",
        "run of each command, the one least disturbed by other work on the",
        "machine; the target is judged on the fastest runs.",
        "",
        *growth_table(r, d, "median", "median"),
        *growth_table(r, d, "fastest", "fastest"),
        "Where the helper's time goes (means from hyperfine, milliseconds; per",
        "function in microseconds, after the empty tree's):",
        "",
        *cpu_table(r),
    ]
    why = d.growth_why
    if why:
        lines += [
            f"At {r.largest} functions the time per function rises by "
            f"{d.growth['fastest']['helper']:.2f}×, but",
            f"{why}.",
            "",
        ]
    return lines


def calls_table(r):
    empty = r.calls(0, "helper")
    rows = [row(0, empty, "", "", "", "", "")]
    for n in r.sizes:
        cells = []
        for command in HELPER_COMMANDS:
            total = r.calls(n, command)
            cells += [total, f"{(total - empty) / n:.2f}"]
        rows.append(row(n, *cells))
    return table(
        [
            "functions", "helper", "per function", "dry-run", "per function",
            "idempotent", "per function",
        ],
        right(7),
        rows,
    )


def calls_by_name_table(r):
    counts = r.syscalls.get((r.largest, "helper"), {})
    most = sorted(counts.items(), key=lambda c: (-c[1], c[0]))[:12]
    return table(
        ["system call", "calls", "per function"],
        ["---"] + right(2),
        [row(name, n, f"{n / r.largest:.2f}") for name, n in most],
    )


def reads_table(d):
    rows = [
        row(
            x["kind"],
            f"`{x['attribute']}`",
            "" if x["by"] is None else x["by"],
            *(x["max"].get(c, "") for c in ("dry-run", "idempotent", "helper")),
        )
        for x in d.reads
    ]
    return table(
        ["functions", "attribute", "read by", "dry-run", "idempotent", "real path"],
        ["---"] * 2 + right(4),
        rows,
    )


def shell_calls_table(r):
    small = min(n for n, c in r.syscalls if c == "busybox")
    big = r.ref
    rows = []
    for command in SHELL_COMMANDS:
        a, b = r.calls(small, command), r.calls(big, command)
        procs = r.processes(big, command) - r.processes(small, command)
        rows.append(
            row(
                command,
                a,
                b,
                f"{(b - a) / (big - small):.1f}",
                f"{procs / (big - small):.2f}",
            )
        )
    return table(
        [
            "command", f"{small} functions", f"{big} functions", "per function",
            "processes per function",
        ],
        ["---"] + right(4),
        rows,
    )


def syscalls(r, d):
    return [
        "## System calls",
        "",
        "Counted with strace (`-f`, every call of every process) on one run of",
        "each command; traces are in `bench/cache/strace/`. *Per function* is",
        "(calls at N − calls on the empty tree) ÷ N.",
        "",
        *calls_table(r),
        f"By system call, the helper's real path on {r.largest} functions:",
        "",
        *calls_by_name_table(r),
        "Reads of each attribute of a PCI function (`openat2` for reading, or",
        f"`readlinkat`) on {r.ref} functions: the most reads of it by any one",
        "function, for each command, and how many functions read it at all.",
        "",
        *reads_table(d),
        "The shell loops, for comparison (system calls of the shell and every",
        "process it starts):",
        "",
        *shell_calls_table(r),
    ]


def rss_table(r):
    rows = [row(0, r.rss(0, "helper"), "", "")]
    for n in r.sizes:
        rows.append(row(n, *(r.rss(n, c) for c in HELPER_COMMANDS)))
    return table(["functions", *HELPER_COMMANDS], right(4), rows)


def kmod_scale(r):
    kib = r.rss("-", "kmod")
    if kib is None:
        return []
    linkage = r.helper["libkmod"]
    if linkage == "linked":
        lines = ["`kmod --version` (the same libkmod and its libraries)"]
    elif linkage == "dlopen":
        lines = [
            "`kmod --version` (libkmod and the libraries it links, which the",
            "helper opens at run time, and so only on the path that loads a",
            "module: `--root` never takes it, so at boot its peak can be this",
            "much higher)",
        ]
    else:
        lines = ["`kmod --version`"]
    return lines + [f"{kib} KiB,"]


def mappings_table(r):
    if not r.mappings:
        return []
    total = sum(kib for kib, _ in r.mappings)
    return [
        "Where the helper's resident memory is, read from its",
        "`/proc/PID/smaps` once the dynamic linker is done and before it",
        "reads anything (it is held there by a FIFO as `proc/cmdline`), KiB:",
        "",
    ] + table(
        ["mapping", "resident"],
        ["---", "---:"],
        [row(name, kib) for kib, name in r.mappings] + [row("**total**", total)],
    )


def memory(r):
    runs = len(r.rss_runs.get((0, "helper"), []))
    libraries = "".join(f"`{lib}` " for lib in r.helper["libraries"])
    return [
        "## Peak memory",
        "",
        "Maximum resident set size from `/usr/bin/time -v`, KiB, the median",
        f"of {runs} runs each.",
        "",
        *rss_table(r),
        "For scale, on this machine: `vfio-bind --version`",
        f"{r.rss('-', 'version')} KiB,",
        *kmod_scale(r),
        f"`/bin/true` {r.rss('-', 'true')} KiB; the shell loops on {r.ref}",
        f"functions: busybox sh {r.rss(r.ref, 'busybox')} KiB, dash",
        f"{r.rss(r.ref, 'dash')} KiB (the largest process of the run).",
        "",
        *mappings_table(r),
        "The helper's shared libraries (`ldd`):",
        f"{libraries}.",
        "",
    ]


BOOT_HEADING = "## Boot timing"
CARRIED = "Carried over from the run of "


def previous_boots(previous):
    """The boot section of the document this one replaces, as its lines,
    and that document's date; None when it has no measured boots."""
    if previous is None or not previous.exists():
        return None
    lines = previous.read_text(encoding="utf-8").split("\n")
    start = next((i for i, x in enumerate(lines) if x.startswith(BOOT_HEADING)), None)
    if start is None:
        return None
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
    )
    section = lines[start:end]
    while section and section[-1] == "":
        section.pop()
    body = [x for x in section[1:] if x]
    if not body or body[0].startswith("Not measured"):
        return None
    date = re.search(r"^\| date \| ([^|]+?) \|$", "\n".join(lines), re.M)
    return section, date[1] if date else "an unknown date"


def paired_boots(r, previous=None):
    """The section of bench/boot's paired boots (bench/boottime.py), or,
    when this run made none, the previous document's, carried over."""
    try:
        loaded = boottime.load(r.dir / "boots")
    except (ValueError, KeyError, json.JSONDecodeError) as e:
        raise ResultsError(f"the paired boots' results are unreadable: {e}")
    if loaded is None or loaded[0].get("unavailable"):
        why = (
            f"this run made no boots ({loaded[0]['unavailable']})"
            if loaded
            else "this run made no boots (bench/boot left no boots/run.json)"
        )
        carried = previous_boots(previous)
        if carried:
            section, date = carried
            # carried over again: the line names the run that booted
            if len(section) > 2 and section[2].startswith(CARRIED):
                return section + [""]
            return [
                section[0],
                "",
                f"{CARRIED}{date} (the previous document, verbatim below): {why}.",
                *section[1:],
                "",
            ]
    if loaded is None:
        return [
            "## Boot timing: paired boots under QEMU",
            "",
            "Not measured: this run has no paired boots (bench/boot left no "
            "boots/run.json).",
            "",
        ]
    return boottime.section(*loaded)


def image_table(d):
    rows = []
    for i in d.images:
        if "problem" in i:
            rows.append(row(i["image"], f"not measured: {i['problem']}", *[""] * 9))
            continue
        rows.append(
            row(
                i["image"],
                utc(i["built"]),
                i["bytes"],
                i["control_bytes"],
                i["bytes"] - i["control_bytes"],
                *(i["parts"][p] for p in IMAGE_PARTS),
                i["beyond"],
            )
        )
    return table(
        [
            "builder", "built", "image", "control", "compressed difference",
            *IMAGE_PARTS, "beyond the vfio modules",
        ],
        ["---"] * 2 + right(9),
        rows,
    )


def build_note(r):
    """What this tree's build weighs, whatever the images hold."""
    h = r.helper
    stripped = f", {h['stripped']} stripped (`strip`)" if h["stripped"] else ""
    size = ""
    if h["text"] is not None:
        size = (
            f"{h['text']} bytes of text (code and read-only data) and "
            f"{h['data'] + h['bss']} of data (`size`)"
        )
    lines = [
        "The measured `vfio-bind` (this tree's, copied at the start of the",
        f"run): {h['bytes']} bytes as built{stripped};",
        f"{size}.",
        "`make install` installs it as built.",
    ]
    if h["stripped"]:
        lines += [
            "Its stripped sections of 1 KiB or more (`size -A`), bytes:",
            "",
        ] + table(
            ["section", "size"],
            ["---", "---:"],
            [row(f"`{name}`", n) for name, n in r.sections if n >= 1024],
        ) + [
            f"The sections add up to {sum(n for _, n in r.sections)}",
            "bytes; the rest of the stripped file is ELF headers and the page",
            "alignment between its segments.",
        ]
    return lines + [""]


def image_sizes(r, d):
    lines = ["## What the integration adds to an initramfs", ""]
    why = r.boot["unavailable"]
    if why:
        return lines + [f"Not measured: {BOOT_UNAVAILABLE[why]}.", ""] + build_note(r)
    return (
        lines
        + [
            "Each image as the boot harness builds it (`tests/boot/build`),",
            "with the integration and without it (`NAME-control`: dracut",
            "`--omit vfio-bind`, initramfs-tools without the project's files),",
            "same kernel, same builder. *Compressed* is the difference of the image",
            "files; the parts are the uncompressed sizes of the files that only",
            "the integrated image has (or that grew in it), by what they are. Bytes.",
            "",
        ]
        + image_table(d)
        + [
            "*vfio modules* includes what they add to the module indexes",
            "(`modules.dep` and the like). *Beyond the vfio modules* is",
            "helper + hook scripts + libraries + other.",
            "",
        ]
        + build_note(r)
    )


def driverctl():
    return [
        "## driverctl",
        "",
        "Not timed: driverctl sets an override for one device address per call",
        "and works only on the live `/sys` (its paths are fixed, and it runs",
        "modprobe and writes `/etc/driverctl.d`), so it can neither select by",
        "`vendor:device` nor run against a fake tree.",
        "",
    ]


def document(r, previous=None):
    d = Derived(r)
    sections = [
        header(r),
        targets(r, d),
        machine(r),
        method(r),
        time_section(r),
        paths_section(r, d),
        growth(r, d),
        syscalls(r, d),
        memory(r),
        paired_boots(r, previous),
        image_sizes(r, d),
        driverctl(),
    ]
    return "\n".join(line for section in sections for line in section) + "\n"


def main(argv):
    previous = None
    if len(argv) == 4 and argv[1] == "--previous":
        previous = Path(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) != 2:
        print("usage: bench/report.py [--previous OLD.md] RESULTS >docs/benchmarks.md", file=sys.stderr)
        return 2
    try:
        sys.stdout.buffer.write(document(Results(argv[1]), previous).encode("utf-8"))
    except (ResultsError, OSError) as e:
        print(f"bench/report.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
