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

# Run the helper with the arguments given: `--defer-storage` before udev
# starts, `--keep DEVICE` for the root device once it exists. It logs every
# decision to the kernel log itself, so its stderr, which repeats them, is
# kept off the console and forwarded to the kernel log only when the helper
# did not run as it should (a missing library, a crash, an internal error).
# Its status (0 all bound, 2 precondition failed and nothing changed, 3 some
# functions not bound) is for people, never a reason to stop the boot. The
# body is a subshell: no variable escapes it, and it always returns 0.
vfio_bind_run() (
	helper=@SBINDIR@/vfio-bind
	if [ ! -x "$helper" ]; then
		echo "<4>vfio-bind: $helper is missing from the initramfs; nothing done" \
			>/dev/kmsg 2>/dev/null
		exit 0
	fi
	errors=$("$helper" "$@" 2>&1 >/dev/null)
	status=$?
	case $status in
	0 | 2 | 3) ;;
	*)
		{
			printf '%s\n' "$errors" | while IFS= read -r line; do
				[ -n "$line" ] && echo "<3>vfio-bind: ${line#vfio-bind: }"
			done
			echo "<3>vfio-bind: $helper $* failed with status $status; boot continues"
		} >/dev/kmsg 2>/dev/null
		;;
	esac
	exit 0
)
