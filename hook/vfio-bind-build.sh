# shellcheck shell=sh
# vfio-bind: what the image builders of dracut and initramfs-tools share.
#
# Installed as @PKGDATADIR@/vfio-bind-build.sh. dracut's module-setup.sh and
# the initramfs-tools build hook source it to learn what to put into an
# image; no image carries it (the boot hooks source vfio-bind.sh). It only
# defines functions, and the builders source it in a subshell, so nothing
# stays defined in dracut or mkinitramfs.

# The kernel modules the helper loads, in load order. Both builders add them
# even to host-only images: the host need not have loaded them yet.
vfio_bind_modules() {
	echo vfio vfio_iommu_type1 vfio-pci
}

# vfio_bind_variant_modules MODULES_DIR [SYSFS]: the modules of the VFIO
# variant drivers in the kernel whose modules MODULES_DIR holds: those with
# a vfio_pci: alias in its modules.alias (scripts/mod/file2alias.c writes
# them for PCI_DRIVER_OVERRIDE_DEVICE_VFIO entries), vfio_pci's catch-all
# left out; one a line. With SYSFS (a host-only image), only those whose
# aliases match a PCI function there, its modalias with vfio_pci: for pci:,
# as the helper looks them up at boot. Nothing when there are none.
vfio_bind_variant_modules() (
	aliases=$1/modules.alias
	sysfs=${2-}
	[ -r "$aliases" ] || exit 0
	variants=$(grep '^alias vfio_pci:' "$aliases" | grep -v ' vfio_pci$') || exit 0
	if [ -z "$sysfs" ]; then
		printf '%s\n' "$variants" | while read -r _ _ module; do
			echo "$module"
		done | sort -u
		exit 0
	fi
	for file in "$sysfs"/bus/pci/devices/*/modalias; do
		[ -r "$file" ] || continue
		read -r modalias <"$file" || continue
		printf '%s\n' "$variants" | while read -r _ pattern module; do
			# shellcheck disable=SC2254 # the alias is a pattern
			case vfio_pci:${modalias#pci:} in $pattern) echo "$module" ;; esac
		done
	done | sort -u
)

# vfio_bind_libraries HELPER: the shared libraries HELPER opens with
# dlopen() (libkmod, only when it loads a module), one a line, which ldd
# does not see: the sonames its ELF dlopen note declares (.note.dlopen,
# https://systemd.io/ELF_DLOPEN_METADATA/), those of priority "suggested"
# left out. No note: none (a helper linked with libkmod, make STATIC=1).
# Without readelf (binutils), or when readelf cannot read HELPER, the
# library this version opens, and a line on stderr that says so.
vfio_bind_libraries() (
	helper=$1
	if ! command -v readelf >/dev/null 2>&1; then
		echo "vfio-bind: no readelf (binutils) to read $helper's .note.dlopen; carrying libkmod.so.2, the library vfio-bind opens with dlopen()" >&2
		echo libkmod.so.2
		return 0
	fi
	# readelf warns when there is no such note, and exits 0 even on an
	# error (binutils 2.40, a truncated file): its "Error:" lines tell
	note=$(LC_ALL=C readelf -p .note.dlopen "$helper" 2>&1) ||
		note="readelf: Error: exit status $?"
	case $note in
	*"readelf: Error:"*)
		echo "vfio-bind: readelf cannot read $helper as an ELF file; carrying libkmod.so.2, the library vfio-bind opens with dlopen()" >&2
		echo libkmod.so.2
		return 0
		;;
	esac
	# readelf prints the note's JSON as one string; each object is
	# flat but for its soname array
	printf '%s\n' "$note" |
		grep -o '{[^{}]*}' |
		grep -v '"priority" *: *"suggested"' |
		grep -o '"soname" *: *\[[^]]*\]' |
		sed 's/^"soname" *: *\[//; s/\]$//' | tr ',' '\n' |
		sed -n 's/^ *"\([^"]*\)" *$/\1/p'
)

# The options lines for vfio-pci that libkmod applies on the system under
# ROOT ("" for this one), in its order, as the helper reads them
# (helper/config/modprobe.c): the *.conf files of its directories, a name
# in an earlier directory hiding the same name in a later one, all of them
# in the order of their names, a backslash joining lines. Both builders write
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

# vfio_bind_record_management_nics HELPER IMAGE_DIR [ROOT]: the NICs under
# this host's default routes, as `vfio-bind management-nics` finds them,
# into the image (etc/vfio-bind/management-nics), for the boot to keep them
# whatever vfio-pci.ids= names; or, when the operator wrote that file under
# ROOT (to name a NIC the helper cannot find, or to build for another
# host), that file as it is. When the helper cannot tell, the record says it
# is unsure, which keeps every network controller at boot, and the status
# is 1 for the builder to say so.
vfio_bind_record_management_nics() (
	record=$2/etc/vfio-bind/management-nics
	written=${3-}/etc/vfio-bind/management-nics
	mkdir -p "$2/etc/vfio-bind" || exit 1
	if [ -f "$written" ]; then
		cp "$written" "$record" && exit 0
	elif "$1" --quiet management-nics >"$record"; then
		exit 0
	fi
	echo "unsure the NICs under the default routes could not be recorded" >"$record"
	exit 1
)
