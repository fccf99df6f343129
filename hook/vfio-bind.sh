# shellcheck shell=sh
# vfio-bind: what the boot hooks of dracut and initramfs-tools share.
#
# Installed as @PKGDATADIR@/vfio-bind.sh and carried into every image; what
# only the image builders need is in vfio-bind-build.sh. The boot hooks
# source it, call its functions and unset them again, so nothing leaks into
# dracut's shell. It defines exactly these:
#   vfio_bind_run ARG...   run the helper under a time limit; say in the
#                          kernel log when it did not run as it should
#   vfio_bind_limit [warn] that limit, in seconds
#   vfio_bind_late ARG...  the storage guard's pass once the root device
#                          exists: vfio_bind_run, then the deferral note goes
#   vfio_bind_report_left  once the root is mounted: what the pass before
#                          udev deferred, when no later pass took it up
#
# The deferral note: the helper's pass before udev (--defer-storage) writes
# /run/vfio-bind-deferred when it leaves functions for the pass once the
# root device exists, one line each ("ADDRESS [VENDOR:DEVICE] DRIVER").
#
# VFIO_BIND_ROOT, for tests, puts proc/cmdline, dev/kmsg and run/ under
# another directory.

# The helper's time limit: 30 s, which the kernel command line can change
# (vfio-bind.timeout=SECONDS, 1 to 9999, either spelling of the module name
# as the kernel reads a module parameter, the last one wins). With "warn", a
# value out of range is said in the kernel log.
#
# The helper takes milliseconds, and seconds only when the machine or a
# driver is slow: vfio-pci loaded from a slow image, up to 3 s of waiting
# for a driver module that is loading, a host driver's unbind (nvme gives a
# controller 5 s to shut down, more when the drive asks), libblkid reading
# a disk that spins up. 30 s is well over that, and a helper that hangs
# delays the boot by no more: nothing else bounds it (vfio-bind.service and
# dracut's hook services are oneshot, which systemd gives no time limit;
# initramfs-tools sets none).
vfio_bind_limit() (
	set +eu
	limit=30
	cmdline=
	read -r cmdline 2>/dev/null <"${VFIO_BIND_ROOT-}/proc/cmdline"
	set -f
	given=
	for arg in $cmdline; do
		case $arg in
		vfio[-_]bind.timeout=*) given=$arg ;;
		esac
	done
	if [ -n "$given" ]; then
		case ${given#*=} in
		'' | 0* | *[!0-9]* | ?????*)
			if [ "${1-}" = warn ]; then
				echo "<4>vfio-bind: $given is not a whole number of seconds from 1 to 9999; the limit stays $limit s" \
					2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
			fi
			;;
		*) limit=${given#*=} ;;
		esac
	fi
	echo "$limit"
)

# Run the helper with the arguments given: `--defer-storage` before udev
# starts, `--keep DEVICE` for the root device once it exists. It logs every
# decision to the kernel log itself, so its stderr, which repeats them, is
# kept off the console and forwarded to the kernel log only when the helper
# did not run as it should (a missing library, a crash, an internal error).
# Its status (0 all bound, 2 precondition failed and nothing changed, 3 some
# functions not bound) is for people, never a reason to stop the boot.
#
# The boot goes on whatever the helper does. The body is a subshell with
# its own options: the caller's `set -e` and `set -u` stop nothing here, no
# variable escapes, and it always returns 0.
#
# At the limit (vfio_bind_limit) the helper and what it started (its process
# group) get SIGTERM, and SIGKILL 5 s later (or after the limit again, if that is shorter), and one line says so
# in the kernel log. SIGKILL waits, up to 60 s more, while the helper holds
# a function between drivers (moving, below): an NVMe controller's
# shutdown in its driver's remove takes up to 60 s (nvme_init_identify()
# clamps the drive's RTD3E to that) and gives up at a fatal signal
# (nvme_wait_ready()), which would leave the function with no driver. A
# helper stuck inside the kernel (a driver's remove that never returns)
# cannot be killed, and the hook waits for it.
#
# It needs sh builtins and sleep, which every image has: dracut's base
# module installs it, and initramfs-tools' own scripts use it (busybox's,
# or klibc-utils' without busybox). Without sleep there is no limit.
vfio_bind_run() (
	set +eu
	unset IFS
	helper=@SBINDIR@/vfio-bind
	kmsg=${VFIO_BIND_ROOT-}/dev/kmsg
	if [ ! -x "$helper" ]; then
		echo "<4>vfio-bind: $helper is missing from the initramfs; nothing done" \
			2>/dev/null >>"$kmsg"
		exit 0
	fi
	limit=$(vfio_bind_limit warn)
	grace=5
	[ "$limit" -ge "$grace" ] || grace=$limit
	# The helper's stderr goes to a file, not a pipe: what libkmod starts
	# for an install command in modprobe.d inherits it, and a reader of a
	# pipe would wait for that too, past the limit.
	errfile=${VFIO_BIND_ROOT-}/run/vfio-bind-stderr.$$
	if ! : 2>/dev/null >"$errfile"; then
		echo "<4>vfio-bind: cannot write $errfile; the helper's own error lines are lost" \
			2>/dev/null >>"$kmsg"
		errfile=/dev/null
	fi

	# The helper's status is the subshell's, or 124 (as timeout(1) says
	# it) when the watchdog had to kill it.
	(
		exec 2>/dev/null
		"$helper" "$@" 2>"$errfile" >/dev/null &
		pid=$!
		(
			# nap SECONDS: sleep's status, or exit with $code once the
			# caller sends TERM; the sleep goes too, even when TERM
			# comes while it starts
			nap() {
				cancel=
				trap 'cancel=1' TERM
				sleep "$1" &
				sleeper=$!
				trap 'kill -KILL "$sleeper"; exit "$code"' TERM
				if [ -n "$cancel" ]; then
					kill -KILL "$sleeper"
					exit "$code"
				fi
				wait "$sleeper"
			}
			# moving PID: the helper holds a function between drivers,
			# from its override until the function is confirmed on
			# vfio-pci or back on its driver: it blocks SIGTERM for that
			# time (bind_block_signals(), helper/boot/bind.c), which
			# /proc/PID/status shows in SigBlk, a hex mask whose bit 14
			# is signal 15 (its last four digits only: sh arithmetic is
			# signed)
			moving() {
				while read -r key mask; do
					[ "$key" = SigBlk: ] || continue
					mask=${mask#"${mask%????}"}
					[ $((0x$mask & 0x4000)) -ne 0 ]
					return
				done <"/proc/$1/status"
				return 1
			}
			# signal NAME PID: the helper's process group (it leads
			# one: cmd_boot()), with what it started; the helper
			# alone when it leads none. (No "--" before the group:
			# klibc's kill takes it for a process.)
			signal() {
				kill -"$1" "-$2" 2>/dev/null || kill -"$1" "$2"
			}
			code=0
			# (no sleep: no limit, rather than no helper)
			nap "$limit" || exit 0
			code=124
			signal TERM "$pid"
			nap "$grace"
			waited=0
			while [ "$waited" -lt 60 ] && moving "$pid"; do
				nap 1
				waited=$((waited + 1))
			done
			signal KILL "$pid"
			exit 124
		) >/dev/null &
		watchdog=$!
		wait "$pid"
		status=$?
		kill -TERM "$watchdog"
		wait "$watchdog"
		fired=$?
		case $status in
		0 | 2 | 3) ;;
		*) [ "$fired" -ne 124 ] || status=124 ;;
		esac
		exit "$status"
	)
	status=$?
	case $status in
	0 | 2 | 3)
		rm -f "$errfile" 2>/dev/null
		exit 0
		;;
	esac
	signal=
	if [ "$status" -gt 128 ] && [ "$status" -le 192 ]; then
		signal=$(kill -l "$status" 2>/dev/null)
		signal=${signal:+SIG$signal}
		signal=${signal:-signal $((status - 128))}
	fi
	called=$helper${*:+ $*}
	{
		while IFS= read -r line; do
			if [ -n "$line" ]; then
				echo "<3>vfio-bind: ${line#vfio-bind: }"
			fi
		done <"$errfile"
		if [ "$status" -eq 124 ]; then
			echo "<3>vfio-bind: $called did not finish in $limit s (vfio-bind.timeout=) and was killed; boot continues"
		elif [ -n "$signal" ]; then
			echo "<3>vfio-bind: $called was killed by $signal; boot continues"
		else
			echo "<3>vfio-bind: $called failed with status $status; boot continues"
		fi
	} 2>/dev/null >>"$kmsg"
	[ "$errfile" = /dev/null ] || rm -f "$errfile" 2>/dev/null
	exit 0
)

# vfio_bind_late ARG...: the storage guard's pass once the root device
# exists, with the arguments given (--keep DEVICE), then the deferral note
# goes: the functions it named have had their decision, which the helper
# logged.
vfio_bind_late() {
	vfio_bind_run "$@"
	rm -f "${VFIO_BIND_ROOT-}/run/vfio-bind-deferred" 2>/dev/null ||
		echo "<4>vfio-bind: cannot remove /run/vfio-bind-deferred: the functions it names had their pass all the same" \
			2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
}

# vfio_bind_report_left: run once the root is mounted. When the deferral
# note is still there, no pass once the root device existed ran, so what the
# pass before udev deferred stays on its host drivers: one line each in the
# kernel log, from the note.
vfio_bind_report_left() (
	note=${VFIO_BIND_ROOT-}/run/vfio-bind-deferred
	[ -e "$note" ] || exit 0
	named=
	while read -r function ids driver; do
		[ -n "$function" ] || continue
		named=1
		echo "<3>vfio-bind: $function $ids stays on ${driver:-its host driver}: the pass once the root device exists did not run"
	done <"$note" 2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
	[ -n "$named" ] ||
		echo "<3>vfio-bind: the pass once the root device exists did not run: what the pass before udev deferred stays on its host drivers" \
			2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
	exit 0
)
