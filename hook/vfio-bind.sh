# shellcheck shell=sh
# vfio-bind: what the dracut module and the initramfs-tools hooks share.
#
# Installed as @PKGDATADIR@/vfio-bind.sh. The image builders source it to
# learn which modules to add, and the boot hooks (before udev, and once the
# root device exists) source it from inside the initramfs to run the helper.
# It only defines functions; the callers unset them again, so nothing leaks
# into dracut's shell.

# The kernel modules the helper loads, in load order. Both builders add them
# even to host-only images: the host need not have loaded them yet.
vfio_bind_modules() {
	echo vfio vfio_iommu_type1 vfio-pci
}

# The shared libraries the helper opens with dlopen() (libkmod, only when it
# loads a module): ldd does not see them, so both builders add them by name.
vfio_bind_libraries() {
	echo libkmod.so.2
}

# The options lines for vfio-pci that libkmod applies on the system under
# ROOT ("" for this one), in its order, as the helper reads them
# (helper/config/modprobe.c): the *.conf files of its directories, a name in an
# earlier directory hiding the same name in a later one, all of them in
# the order of their names, a backslash joining lines. Both builders write
# them into every image, generic or host-only, so that the helper and
# vfio-pci find them at boot: dracut copies /etc/modprobe.d only into
# host-only images, neither builder copies /run or /usr/local/lib. A file
# whose name sorts last carries them, so its ids= comes after any other
# file's in the image, as the host's last one came last.
vfio_bind_modprobe_options() (
	root=$1
	tab=$(printf '\t')
	for dir in /etc/modprobe.d /run/modprobe.d /usr/local/lib/modprobe.d \
		/usr/lib/modprobe.d /lib/modprobe.d; do
		for file in "$root$dir"/*.conf; do
			# libkmod follows links (one to /dev/null masks a name)
			if [ -e "$file" ] && [ ! -d "$file" ]; then
				printf '%s\t%s\n' "${file##*/}" "$file"
			fi
		done
	done | LC_ALL=C sort -s -t "$tab" -k1,1 | awk -F '\t' '!seen[$1]++ { print $2 }' |
		while IFS= read -r file; do
			awk -v file="${file#"$root"}" '
			function emit() {
				if (match(line, /^[ \t]*options[ \t]+vfio[-_]pci[ \t]/) &&
					RLENGTH < length(line)) {
					print "# " file
					print "options vfio_pci " substr(line, RLENGTH + 1)
				}
				line = ""
			}
			# a backslash joins the next line, or stands for the
			# character after it (libkmod: freadline_wrapped())
			{
				for (i = 1; i <= length($0); i++) {
					c = substr($0, i, 1)
					if (c == "\\") {
						if (i == length($0)) next
						c = substr($0, ++i, 1)
					}
					line = line c
				}
				emit()
			}
			END { if (line != "") emit() }' "$file"
		done
)

# vfio_bind_carry_modprobe_options ROOT IMAGE_DIR: the lines above, into
# the image being built (nothing when there are none).
vfio_bind_carry_modprobe_options() (
	lines=$(vfio_bind_modprobe_options "$1")
	[ -n "$lines" ] || exit 0
	mkdir -p "$2/etc/modprobe.d"
	{
		echo "# vfio-pci's options lines on the system the image was built on"
		printf '%s\n' "$lines"
	} >"$2/etc/modprobe.d/zz-vfio-bind.conf"
)

# The driverctl overrides saved under ROOT, one path a line, as on that
# system: at boot the helper puts a function whose file names vfio-pci on
# vfio-pci, before driverctl's own udev rule, which is not in the image.
vfio_bind_driverctl_files() (
	for file in "$1"/etc/driverctl.d/pci-*; do
		[ -f "$file" ] && echo "${file#"$1"}"
	done
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
# The helper also gets a time limit, which the kernel command line can
# change (vfio-bind.timeout=SECONDS, 1 to 9999): 30 s. It takes
# milliseconds, and seconds only when the machine or a driver is slow:
# vfio-pci loaded from a slow image, up to 3 s of waiting for a driver
# module that is loading, a host driver's unbind (nvme gives a controller 5
# s to shut down, more when the drive asks), libblkid reading a disk that
# spins up. 30 s is well over that, and a helper that hangs delays the boot
# by no more: nothing else bounds it (vfio-bind.service and dracut's hook
# services are oneshot, which systemd gives no time limit; initramfs-tools
# sets none). At the limit the helper gets SIGTERM, and SIGKILL 5 s later
# (or after the limit again, if that is shorter), and one line says so in
# the kernel log. A helper stuck inside the kernel (a driver's remove that
# never returns) cannot be killed, and the hook waits for it.
#
# It needs sh builtins and sleep, which every image has: dracut's base
# module installs it, and initramfs-tools' own scripts use it (busybox's,
# or klibc-utils' without busybox). Without sleep there is no limit.
# VFIO_BIND_ROOT, for tests, puts proc/cmdline and dev/kmsg under another
# directory.
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

	limit=30
	cmdline=
	read -r cmdline 2>/dev/null <"${VFIO_BIND_ROOT-}/proc/cmdline"
	set -f
	given=
	for arg in $cmdline; do
		# either spelling of the module name, as the kernel reads a
		# module parameter; the last one wins
		case $arg in
		vfio[-_]bind.timeout=*) given=$arg ;;
		esac
	done
	if [ -n "$given" ]; then
		case ${given#*=} in
		'' | 0* | *[!0-9]* | ?????*)
			echo "<4>vfio-bind: $given is not a whole number of seconds from 1 to 9999; the limit stays $limit s" \
				2>/dev/null >>"$kmsg"
			;;
		*) limit=${given#*=} ;;
		esac
	fi
	grace=5
	[ "$limit" -ge "$grace" ] || grace=$limit

	# The helper's stderr is the substitution's output; its status is the
	# substitution's, or 124 (as timeout(1) says it) when the watchdog had
	# to kill it. The watchdog's output goes elsewhere, so that the
	# substitution ends with the helper, and its sleep dies with it.
	errors=$(
		exec 2>/dev/null
		"$helper" "$@" 2>&1 >/dev/null &
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
			code=0
			# (no sleep: no limit, rather than no helper)
			nap "$limit" || exit 0
			code=124
			kill -TERM "$pid"
			nap "$grace"
			kill -KILL "$pid"
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
	0 | 2 | 3) exit 0 ;;
	esac
	signal=
	if [ "$status" -gt 128 ] && [ "$status" -le 192 ]; then
		signal=$(kill -l "$status" 2>/dev/null)
		signal=${signal:+SIG$signal}
		signal=${signal:-signal $((status - 128))}
	fi
	called=$helper${*:+ $*}
	{
		printf '%s\n' "$errors" | while IFS= read -r line; do
			if [ -n "$line" ]; then
				echo "<3>vfio-bind: ${line#vfio-bind: }"
			fi
		done
		if [ "$status" -eq 124 ]; then
			echo "<3>vfio-bind: $called did not finish in $limit s (vfio-bind.timeout=) and was killed; boot continues"
		elif [ -n "$signal" ]; then
			echo "<3>vfio-bind: $called was killed by $signal; boot continues"
		else
			echo "<3>vfio-bind: $called failed with status $status; boot continues"
		fi
	} 2>/dev/null >>"$kmsg"
	exit 0
)
