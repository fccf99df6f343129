#!/usr/bin/env bats
# The boot hooks around the helper: whatever the helper does (succeeds,
# fails, crashes, hangs, is missing), the hook returns and the boot goes on,
# under set -e and set -u, in every shell an initramfs runs them with; the
# kernel log says what happened. The hooks are built as the Makefile builds
# them, with @SBINDIR@ pointing at a fake helper.

load common

TOP=$BATS_TEST_DIRNAME/../..

# dracut's /bin/sh is bash (in POSIX mode, as sh) or dash; initramfs-tools'
# is busybox's, or klibc's in an image without busybox.
SHELLS=(dash "bash --posix" "busybox sh" /usr/lib/klibc/bin/sh)

setup() {
	local sh
	for sh in "${SHELLS[@]}"; do
		command -v "${sh%% *}" >/dev/null ||
			fail "${sh%% *} is missing: make deps installs it (tests/packages.debian)"
	done
	fake_root "quiet"
	export VFIO_BIND_ROOT=$ROOT
	SBIN=$BATS_TEST_TMPDIR/sbin
	SHARE=$BATS_TEST_TMPDIR/share
	HOOKS=$BATS_TEST_TMPDIR/hooks
	ARGS=$BATS_TEST_TMPDIR/args
	HELPER=$SBIN/vfio-bind
	NOTE=$ROOT/run/vfio-bind-deferred
	mkdir -p "$SBIN" "$SHARE" "$HOOKS"
	subst hook/vfio-bind.sh >"$SHARE/vfio-bind.sh"
	subst hook/vfio-bind-build.sh >"$SHARE/vfio-bind-build.sh"
	subst dracut/vfio-bind-pre-udev.sh >"$HOOKS/pre-udev.sh"
	subst dracut/vfio-bind-pre-mount.sh >"$HOOKS/pre-mount.sh"
	subst dracut/vfio-bind-report.sh >"$HOOKS/report.sh"
	subst dracut/vfio-bind-late.sh >"$HOOKS/late.sh"
	subst dracut/vfio-bind-report.service >"$HOOKS/report.service"
	subst initramfs-tools/scripts/init-top/00-vfio-bind >"$HOOKS/init-top"
	subst initramfs-tools/scripts/local-premount/vfio-bind >"$HOOKS/local-premount"
	subst initramfs-tools/scripts/nfs-bottom/vfio-bind >"$HOOKS/nfs-bottom"
	subst initramfs-tools/scripts/init-bottom/vfio-bind >"$HOOKS/init-bottom"
}

# subst FILE: FILE of the tree, as the Makefile's SUBST fills it in.
subst() {
	sed -e "s|@SBINDIR@|$SBIN|g" -e "s|@PKGDATADIR@|$SHARE|g" "$TOP/$1"
}

# fake_helper BODY: the helper, a script that writes its arguments to $ARGS,
# one per line, and its process ID to pid, then runs BODY.
fake_helper() {
	cat >"$HELPER" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$ARGS"
echo \$\$ >"$BATS_TEST_TMPDIR/pid"
$1
EOF
	chmod +x "$HELPER"
}

# in_shell SHELL CODE: CODE in SHELL under -e -u, after sourcing the shared
# hook, then "continued" if CODE let the caller go on; the kernel log
# emptied first. SECONDS: how long it took.
in_shell() {
	local -a sh
	read -ra sh <<<"$1"
	: >"$ROOT/dev/kmsg"
	echo "in $1" # shown when the test fails
	SECONDS=0
	# (without bats' fd 3, which a process left behind would hold)
	run --separate-stderr "${sh[@]}" -eu -c ". \"\$1\"; $2; echo continued" \
		sh "$SHARE/vfio-bind.sh" 3>&-
}

# went_on LINES: the caller went on, nothing reached the console, and the
# kernel log holds exactly LINES.
went_on() {
	assert_success
	assert_output continued
	stderr_is ""
	assert_equal "$(cat "$ROOT/dev/kmsg")" "$1"
}

# helper_gone: the helper's process is over.
helper_gone() {
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	! kill -0 "$pid" 2>/dev/null || fail "the helper ($pid) still runs"
}

# sleeps SECONDS: the process IDs of "sleep SECONDS".
sleeps() {
	local f
	for f in /proc/[0-9]*/cmdline; do
		if [[ $(tr '\0' ' ' 2>/dev/null <"$f") == "sleep $1 " ]]; then
			f=${f#/proc/}
			echo "${f%/cmdline}"
		fi
	done
}

@test "a helper that exits 0, 2 or 3 is left to log for itself: its stderr stays off the console and the kernel log" {
	local sh status
	for status in 0 2 3; do
		fake_helper "echo 'vfio-bind: 0000:0b:00.0 [10de:1c30] nouveau -> vfio-pci' >&2; exit $status"
		for sh in "${SHELLS[@]}"; do
			in_shell "$sh" "vfio_bind_run --defer-storage"
			went_on ""
			assert_equal "$(cat "$ARGS")" "--defer-storage"
		done
	done
}

@test "a helper that fails has its stderr forwarded to the kernel log, then its status" {
	local sh
	fake_helper "echo 'vfio-bind: libkmod.so.2: cannot open shared object file' >&2
echo >&2
echo 'internal error' >&2
exit 1"
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run --keep /dev/sda2"
		went_on "<3>vfio-bind: libkmod.so.2: cannot open shared object file
<3>vfio-bind: internal error
<3>vfio-bind: $HELPER --keep /dev/sda2 failed with status 1; boot continues"
	done
}

@test "a helper that crashes: the kernel log names the signal" {
	local sh
	fake_helper "echo 'vfio-bind: PCI functions the kernel command line selects: 2' >&2
kill -SEGV \$\$"
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run --defer-storage"
		went_on "<3>vfio-bind: PCI functions the kernel command line selects: 2
<3>vfio-bind: $HELPER --defer-storage was killed by SIGSEGV; boot continues"
	done
	fake_helper "kill -ABRT \$\$"
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run"
		went_on "<3>vfio-bind: $HELPER was killed by SIGABRT; boot continues"
	done
}

@test "a helper that hangs is killed at the limit vfio-bind.timeout= sets, and the kernel log says so" {
	local sh
	# read as a module parameter: either spelling, the last one wins
	fake_cmdline "vfio-bind.timeout=x quiet vfio_bind.timeout=1"
	fake_helper "exec sleep 60"
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run --defer-storage"
		went_on "<3>vfio-bind: $HELPER --defer-storage did not finish in 1 s (vfio-bind.timeout=) and was killed; boot continues"
		((SECONDS <= 3)) || fail "took $SECONDS s"
		helper_gone
	done
}

@test "a process the helper leaves behind with its stderr (a modprobe.d install command) does not hold the hook" {
	local sh pid
	fake_cmdline "quiet vfio-bind.timeout=1"
	fake_helper "echo 'vfio-bind: cannot load vfio-pci' >&2; sleep 31 & exit 1"
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run"
		went_on "<3>vfio-bind: cannot load vfio-pci
<3>vfio-bind: $HELPER failed with status 1; boot continues"
		# the hook returned while the process still holds the stderr it had
		pid=$(sleeps 31)
		[[ -n $pid ]] || fail "the process left behind is gone: nothing shows the hook did not wait for it"
		kill $pid
	done
	# and the helper's own stderr file is gone
	run ls "$ROOT/run"
	refute_output --partial vfio-bind-stderr
}

@test "a hung helper that ignores SIGTERM gets SIGKILL after the limit again, when that is under 5 s" {
	local sh
	fake_cmdline "quiet vfio-bind.timeout=1"
	fake_helper "trap '' TERM; exec sleep 60"
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run"
		went_on "<3>vfio-bind: $HELPER did not finish in 1 s (vfio-bind.timeout=) and was killed; boot continues"
		((SECONDS >= 2 && SECONDS <= 4)) || fail "took $SECONDS s"
		helper_gone
	done
}

@test "at the limit, what the helper started (a modprobe.d install command) goes with it: the helper leads a process group" {
	local sh
	fake_cmdline "quiet vfio-bind.timeout=1"
	# as cmd_boot() does, then a child that hangs, as an install command
	fake_helper "exec perl -e 'setpgrp(0, 0); exec(\"sleep\", \"33\") unless fork(); sleep 60'"
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run"
		went_on "<3>vfio-bind: $HELPER did not finish in 1 s (vfio-bind.timeout=) and was killed; boot continues"
		[[ -z $(sleeps 33) ]] || fail "the helper's child outlived the limit"
		helper_gone
	done
	# control: a child in a process group of its own stays
	fake_helper "exec perl -e 'setpgrp(0, 0); unless (fork()) { setpgrp(0, 0); exec(\"sleep\", \"33\") } sleep 60'"
	in_shell "${SHELLS[0]}" "vfio_bind_run"
	[[ -n $(sleeps 33) ]] || fail "nothing shows the group was signalled, not every process"
	kill $(sleeps 33)
}

@test "a helper holding a function between drivers (SIGTERM blocked) gets no SIGKILL until it lets go" {
	local sh
	fake_cmdline "quiet vfio-bind.timeout=1"
	# as bind_block_signals() does from the override to the confirmed
	# bind: SIGTERM waits, blocked, for 4 s, then the helper marks that it
	# got there and lets the signal in
	fake_helper "exec perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM)); sleep 4; open(my \$f, \">\", \"$ROOT/run/moved\"); sigprocmask(SIG_UNBLOCK, POSIX::SigSet->new(SIGTERM)); sleep 60'"
	for sh in "${SHELLS[@]}"; do
		rm -f "$ROOT/run/moved"
		in_shell "$sh" "vfio_bind_run"
		went_on "<3>vfio-bind: $HELPER did not finish in 1 s (vfio-bind.timeout=) and was killed; boot continues"
		[[ -e $ROOT/run/moved ]] || fail "SIGKILL came while SIGTERM was blocked"
		helper_gone
	done
	# control: a helper that ignores SIGTERM instead (SigIgn, not SigBlk)
	# gets SIGKILL after the grace, before it gets there
	fake_helper "exec perl -e '\$SIG{TERM} = \"IGNORE\"; sleep 4; open(my \$f, \">\", \"$ROOT/run/moved\"); sleep 60'"
	rm -f "$ROOT/run/moved"
	in_shell "${SHELLS[0]}" "vfio_bind_run"
	[[ ! -e $ROOT/run/moved ]] || fail "the helper was not killed at the grace"
}

@test "a vfio-bind.timeout= that is no number of seconds is warned about, and the limit stays 30 s" {
	local sh value
	fake_helper "exit 0"
	for value in 0 012 10000 -1 1.5 '' '*' 5s; do
		fake_cmdline "quiet vfio-bind.timeout=$value"
		for sh in "${SHELLS[@]}"; do
			in_shell "$sh" "vfio_bind_run"
			went_on "<4>vfio-bind: vfio-bind.timeout=$value is not a whole number of seconds from 1 to 9999; the limit stays 30 s"
		done
	done
	fake_cmdline "quiet vfio-bind.timeout=9999"
	in_shell dash "vfio_bind_run"
	went_on ""
}

@test "the limit leaves no sleep behind once the helper is done" {
	local sh _ left
	fake_cmdline "quiet vfio-bind.timeout=4321"
	fake_helper "exit 0"
	for sh in "${SHELLS[@]}"; do
		for _ in 1 2 3 4 5; do
			in_shell "$sh" "vfio_bind_run"
			went_on ""
		done
	done
	left=$(sleeps 4321)
	if [[ -n $left ]]; then
		# shellcheck disable=SC2086 # one ID per word
		kill $left
		fail "sleep 4321 left behind: $left"
	fi
}

@test "a helper missing from the image: one line, and the caller goes on" {
	local sh
	for sh in "${SHELLS[@]}"; do
		in_shell "$sh" "vfio_bind_run --defer-storage"
		went_on "<4>vfio-bind: $HELPER is missing from the initramfs; nothing done"
	done
	# not executable is missing too
	fake_helper "exit 0"
	chmod -x "$HELPER"
	in_shell dash "vfio_bind_run"
	went_on "<4>vfio-bind: $HELPER is missing from the initramfs; nothing done"
}

@test "without sleep in the image the helper runs without a limit" {
	fake_helper "/bin/sleep 0.2; exit 0"
	in_shell "env PATH=$BATS_TEST_TMPDIR/nowhere /usr/bin/dash" "vfio_bind_run"
	went_on ""
	assert_equal "$(cat "$ARGS")" ""
}

# The hooks themselves, as dracut sources them and initramfs-tools runs
# them, under -e -u, with a helper that crashes.

# hook_in_shell SHELL CODE: CODE in SHELL under -e -u, then "continued";
# the kernel log and the helper's arguments emptied first.
hook_in_shell() {
	local -a sh
	read -ra sh <<<"$1"
	: >"$ROOT/dev/kmsg"
	: >"$ARGS"
	echo "in $1: $2" # shown when the test fails
	run --separate-stderr "${sh[@]}" -eu -c "$2; echo continued" 3>&-
}

@test "dracut's hooks, sourced under set -e -u, go on whatever the helper does" {
	local sh
	fake_helper "kill -SEGV \$\$"
	for sh in "${SHELLS[@]}"; do
		hook_in_shell "$sh" ". $HOOKS/pre-udev.sh"
		went_on "<3>vfio-bind: $HELPER --defer-storage was killed by SIGSEGV; boot continues"
		: >"$NOTE"
		hook_in_shell "$sh" "root=block:/dev/vda2; . $HOOKS/pre-mount.sh"
		went_on "<3>vfio-bind: $HELPER --keep /dev/vda2 was killed by SIGSEGV; boot continues"
		assert_equal "$(cat "$ARGS")" "--keep
/dev/vda2"
		# a network root, or none known
		: >"$NOTE"
		hook_in_shell "$sh" ". $HOOKS/pre-mount.sh"
		went_on "<3>vfio-bind: $HELPER was killed by SIGSEGV; boot continues"
	done
}

# defined_after SHELL CODE: after CODE in SHELL, each function of the shared
# hook files that is still defined, one a line
defined_after() {
	local -a sh names
	read -ra sh <<<"$1"
	mapfile -t names < <(sed -n 's/^\([a-z_]*\)() [({]$/\1/p' \
		"$SHARE/vfio-bind.sh" "$SHARE/vfio-bind-build.sh")
	((${#names[@]} >= 9)) || fail "found only ${#names[@]} functions in the hook files"
	run --separate-stderr "${sh[@]}" -eu -c "$2
for f in ${names[*]}; do if command -v \$f >/dev/null; then echo \$f; fi; done" 3>&-
}

@test "dracut's hooks leave nothing defined in dracut's shell; control: the shared file they source defines its functions" {
	local sh hook
	fake_helper "exit 0"
	for sh in "${SHELLS[@]}"; do
		for hook in pre-udev.sh pre-mount.sh report.sh; do
			: >"$NOTE"
			defined_after "$sh" "root=block:/dev/vda2; . $HOOKS/$hook"
			assert_success
			assert_output ""
		done
		# the control: the check sees what sourcing defines
		defined_after "$sh" ". $SHARE/vfio-bind.sh"
		assert_success
		assert_output "vfio_bind_limit
vfio_bind_run
vfio_bind_late
vfio_bind_report_left"
	done
	# and no boot hook sources the builders' file, which no image carries
	run grep -l 'vfio-bind-build\.sh' "$HOOKS"/*
	assert_failure
	run -0 grep -l 'vfio-bind-build\.sh' "$TOP/dracut/module-setup.sh" \
		"$TOP/initramfs-tools/hooks/vfio-bind"
}

@test "the pass once the root device exists runs when the pass before udev left the deferral note, and the note goes; control: without it dracut's hook runs nothing" {
	local sh
	fake_helper "exit 0"
	for sh in "${SHELLS[@]}"; do
		echo "0000:00:07.0 [1b36:0010] nvme" >"$NOTE"
		hook_in_shell "$sh" "root=block:/dev/vda2; . $HOOKS/pre-mount.sh"
		went_on ""
		assert_equal "$(cat "$ARGS")" "--keep
/dev/vda2"
		assert [ ! -e "$NOTE" ]
		# control: no note, no helper
		rm -f "$ARGS"
		hook_in_shell "$sh" "root=block:/dev/vda2; . $HOOKS/pre-mount.sh"
		went_on ""
		assert [ ! -s "$ARGS" ]
		# initramfs-tools runs its pass in any case, and the note goes
		echo "0000:00:07.0 [1b36:0010] nvme" >"$NOTE"
		hook_in_shell "$sh" "BOOT=local ROOT= $sh -eu $HOOKS/local-premount"
		went_on ""
		assert [ ! -e "$NOTE" ]
		echo "0000:00:07.0 [1b36:0010] nvme" >"$NOTE"
		hook_in_shell "$sh" "BOOT=nfs $sh -eu $HOOKS/nfs-bottom"
		went_on ""
		assert [ ! -e "$NOTE" ]
	done
}

# report_line ADDR: the line that says the late pass did not run for ADDR
report_line() {
	echo "<3>vfio-bind: $1 [1b36:0010] stays on nvme: the pass once the root device exists did not run"
}

@test "once the root is mounted, what the note still names is said, one line each: dracut's pre-pivot hook and unit, initramfs-tools' init-bottom; control: no note, no line" {
	local sh unit
	unit=$(sed -n 's/^ExecStart=//p' "$HOOKS/report.service")
	[[ $unit == "/bin/sh -c '. $SHARE/vfio-bind.sh && vfio_bind_report_left'" ]] ||
		fail "vfio-bind-report.service runs $unit"
	fake_helper "exit 0"
	for sh in "${SHELLS[@]}"; do
		for how in ". $HOOKS/report.sh" "$sh -eu $HOOKS/init-bottom" "${unit/\/bin\/sh/$sh}"; do
			printf '%s\n' "0000:00:07.0 [1b36:0010] nvme" "0000:00:0a.0 [1b36:0010] nvme" >"$NOTE"
			hook_in_shell "$sh" "$how"
			went_on "$(report_line 0000:00:07.0)
$(report_line 0000:00:0a.0)"
			# an empty note (its functions unknown) is said too
			: >"$NOTE"
			hook_in_shell "$sh" "$how"
			went_on "<3>vfio-bind: the pass once the root device exists did not run: what the pass before udev deferred stays on its host drivers"
			rm -f "$NOTE"
			hook_in_shell "$sh" "$how"
			went_on ""
			[[ ! -s $ARGS ]] || fail "the helper ran"
		done
	done
}

@test "initramfs-tools' scripts, run under set -e -u, exit 0 whatever the helper does" {
	local sh
	fake_helper "kill -SEGV \$\$"
	for sh in "${SHELLS[@]}"; do
		hook_in_shell "$sh" "$sh -eu $HOOKS/init-top"
		went_on "<3>vfio-bind: $HELPER --defer-storage was killed by SIGSEGV; boot continues"
		hook_in_shell "$sh" "ROOT=/dev/sda2 resume=UUID=1234 $sh -eu $HOOKS/local-premount"
		went_on "<3>vfio-bind: $HELPER --keep /dev/sda2 --keep UUID=1234 was killed by SIGSEGV; boot continues"
		hook_in_shell "$sh" "BOOT=nfs $sh -eu $HOOKS/local-premount"
		went_on "<3>vfio-bind: $HELPER was killed by SIGSEGV; boot continues"
		hook_in_shell "$sh" "BOOT=nfs $sh -eu $HOOKS/nfs-bottom"
		went_on "<3>vfio-bind: $HELPER was killed by SIGSEGV; boot continues"
		# under another root (OpenZFS keeps init's nfs stage hooks), not
		hook_in_shell "$sh" "BOOT=zfs $sh -eu $HOOKS/nfs-bottom"
		went_on ""
		hook_in_shell "$sh" "$sh -eu $HOOKS/init-bottom"
		went_on ""
	done
}

@test "a boot script whose shared vfio-bind.sh is missing from the image says so in one line, and the boot goes on; control: with it, the helper runs" {
	local sh how missing="<4>vfio-bind: $SHARE/vfio-bind.sh is missing from the initramfs; nothing done"
	fake_helper "exit 0"
	mv "$SHARE/vfio-bind.sh" "$SHARE/vfio-bind.sh.away"
	for sh in "${SHELLS[@]}"; do
		for how in ". $HOOKS/pre-udev.sh" "$sh -eu $HOOKS/init-top" \
			"BOOT=local ROOT= $sh -eu $HOOKS/local-premount" \
			"BOOT=nfs $sh -eu $HOOKS/nfs-bottom" \
			"root=block:/dev/vda2; . $HOOKS/pre-mount.sh" "$sh -eu $HOOKS/init-bottom" \
			". $HOOKS/report.sh"; do
			echo "0000:00:07.0 [1b36:0010] nvme" >"$NOTE"
			hook_in_shell "$sh" "$how"
			went_on "$missing"
			[[ ! -s $ARGS ]] || fail "the helper ran"
		done
	done
	# control: the same scripts with the file there run the helper
	mv "$SHARE/vfio-bind.sh.away" "$SHARE/vfio-bind.sh"
	hook_in_shell dash "dash -eu $HOOKS/init-top"
	went_on ""
	assert_equal "$(cat "$ARGS")" "--defer-storage"
}

# late_in_ns SHELL CMDLINE [CONF]: dracut's systemd late pass
# (vfio-bind-late.sh, which vfio-bind-late.service runs with sh) in SHELL,
# in a private mount namespace whose /proc/cmdline says CMDLINE, whose
# /etc/cmdline.d/10-root.conf, when CONF is given, says CONF, and whose /lib
# and PATH have dracut's own dracut-lib.sh, dracut-dev-lib.sh and
# dracut-getarg (this machine's dracut-util), as the image has them; the
# deferral note there, the kernel log and the helper's arguments emptied
# first
late_in_ns() {
	local etc=$BATS_TEST_TMPDIR/etc-layer lib=$BATS_TEST_TMPDIR/lib-layer
	local bin=$BATS_TEST_TMPDIR/dracut-bin
	printf '%s\n' "$2" >"$ROOT/proc/cmdline"
	rm -rf "$etc" "$lib" "$bin"
	mkdir -p "$etc/cmdline.d" "$lib" "$bin"
	[[ -z ${3-} ]] || printf '%s\n' "$3" >"$etc/cmdline.d/10-root.conf"
	cp /usr/lib/dracut/modules.d/*base/dracut-lib.sh \
		/usr/lib/dracut/modules.d/*base/dracut-dev-lib.sh "$lib/"
	ln -s /usr/lib/dracut/dracut-util "$bin/dracut-getarg"
	ln -s /usr/lib/dracut/dracut-util "$bin/dracut-getargs"
	echo "0000:00:07.0 [1b36:0010] nvme" >"$NOTE"
	: >"$ROOT/dev/kmsg"
	: >"$ARGS"
	echo "in $1: $2 / ${3-}"
	SECONDS=0
	# shellcheck disable=SC2016 # expanded by that sh
	run --separate-stderr unshare --mount --propagation private -- /bin/sh -ec '
		mount --bind "$1" /proc/cmdline
		mount -t overlay vfio-bind-test -o "lowerdir=$2:/etc" /etc
		mount -t overlay vfio-bind-test -o "lowerdir=$3:/usr/lib" /usr/lib
		shift 3
		exec "$@"' late "$ROOT/proc/cmdline" "$etc" "$lib" \
		env PATH="$bin:$PATH" $1 "$HOOKS/late.sh" 3>&-
}

@test "dracut's systemd late pass reads root= as dracut does, the kernel command line's or the image's, and waits for its device within the limit; control: a device that is there is not waited for" {
	local sh
	fake_helper "exit 0"
	for sh in dash "bash --posix"; do
		late_in_ns "$sh" "quiet root=/dev/null"
		assert_success
		assert_equal "$(cat "$ROOT/dev/kmsg")" ""
		assert_equal "$(cat "$ARGS")" "--keep
/dev/null"
		assert [ ! -e "$NOTE" ]
		# root= only in the image (dracut --kernel-cmdline, host-only)
		late_in_ns "$sh" "quiet" "root=/dev/null"
		assert_success
		assert_equal "$(cat "$ROOT/dev/kmsg")" ""
		assert_equal "$(cat "$ARGS")" "--keep
/dev/null"
		# a device that does not come: waited for, said, then the pass
		late_in_ns "$sh" "vfio-bind.timeout=1 root=UUID=0c7e5d2a-0000-4000-8000-000000000000"
		assert_success
		assert_equal "$(cat "$ROOT/dev/kmsg")" "<4>vfio-bind: the root device /dev/disk/by-uuid/0c7e5d2a-0000-4000-8000-000000000000 did not appear in 1 s; the pass once the root device exists goes on without it"
		assert_equal "$(cat "$ARGS")" "--keep
/dev/disk/by-uuid/0c7e5d2a-0000-4000-8000-000000000000"
		((SECONDS >= 1)) || fail "it did not wait"
		# a network root names no local device: the helper reads root=
		late_in_ns "$sh" "root=nfs:10.0.0.1:/srv/root"
		assert_success
		assert_equal "$(cat "$ROOT/dev/kmsg")" ""
		assert_equal "$(cat "$ARGS")" ""
	done
}

@test "initramfs-tools' scripts answer prereqs under set -e -u, without running the helper" {
	local sh
	local -a cmd
	fake_helper "exit 0"
	for sh in "${SHELLS[@]}"; do
		read -ra cmd <<<"$sh"
		run -0 --separate-stderr "${cmd[@]}" -eu "$HOOKS/init-top" prereqs
		assert_output ""
		run -0 --separate-stderr "${cmd[@]}" -eu "$HOOKS/local-premount" prereqs
		assert_output "resume"
		run -0 --separate-stderr "${cmd[@]}" -eu "$HOOKS/nfs-bottom" prereqs
		assert_output ""
		run -0 --separate-stderr "${cmd[@]}" -eu "$HOOKS/init-bottom" prereqs
		assert_output ""
	done
	[[ ! -e $ARGS ]] || fail "the helper ran"
}
