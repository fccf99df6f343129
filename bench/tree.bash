# shellcheck shell=bash
# Fake system trees for `vfio-bind --root`, laid out as
# tests/unit/fake-sysfs.bash lays them out (sys/devices/pci0000:00/ADDR, a
# symlink to it in sys/bus/pci/devices, 64 bytes of config space with the
# header type at 0x0e, a line for each in proc/bus/pci/devices), but written
# in bulk so that 4096 functions take seconds, not minutes. Sourced by
# bench/run.

# What vfio-pci.ids= selects, and the command line around it.
BENCH_IDS=10de:1c30,10de:10f1
BENCH_CMDLINE="BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=UUID=6f1b0e3a-7c55-4d1b-9b4e-2f0b7c1d5e01 ro quiet intel_iommu=on iommu=pt vfio-pci.ids=$BENCH_IDS"

# The functions that are not selected, one row per index modulo 16:
# vendor device class header driver. Mostly chipset functions, as on a real
# machine, and two of sixteen from the selected vendor, so that matching
# cannot always stop at the vendor.
BENCH_KINDS=(
	"8086 7a30 0x060400 1 pcieport"
	"8086 7a60 0x0c0330 0 xhci_hcd"
	"8086 7a62 0x010601 0 ahci"
	"8086 7a23 0x0c0500 0 i801_smbus"
	"8086 7a27 0x0c8000 0 -"
	"8086 7a68 0x078000 0 mei_me"
	"1022 1482 0x060000 0 -"
	"1022 1483 0x060400 1 pcieport"
	"10de 1aeb 0x0c0330 0 xhci_hcd"
	"10de 1aec 0x0c8000 0 -"
	"15b3 1017 0x020000 0 mlx5_core"
	"15b3 1017 0x020000 0 mlx5_core"
	"144d a808 0x010802 0 nvme"
	"144d a808 0x010802 0 nvme"
	"8086 1533 0x020000 0 igb"
	"8086 1533 0x020000 0 igb"
)
# The selected functions: a GPU and its HDMI audio function.
BENCH_GPU="10de 1c30 0x030000 0 nouveau"
BENCH_AUDIO="10de 10f1 0x040300 0 snd_hda_intel"

# The indexes of the selected functions in a tree of N: two GPU+audio
# pairs, at a quarter and three quarters of the address range (none in a
# tree of fewer than 16).
bench_selected_indexes() {
	local n=$1 a b
	(($1 >= 16)) || return 0
	a=$((n / 4 / 8 * 8))
	b=$((3 * n / 4 / 8 * 8))
	echo "$a $((a + 1)) $b $((b + 1))"
}

# bench_addr VAR INDEX: the address of function INDEX (256 to a bus).
bench_addr() {
	printf -v "$1" '0000:%02x:%02x.%x' $(($2 >> 8)) $((($2 >> 3) & 31)) \
		$(($2 & 7))
}

# bench_tree ROOT N MODE
#   MODE fresh: the selected functions are on their host drivers, with no
#   driver_override, as at boot.
#   MODE bound: they are already on vfio-pci with driver_override=vfio-pci,
#   as after a first run (the idempotent path).
bench_tree() {
	local root=$1 n=$2 mode=$3 i addr dev kind drv hdr
	local vendor device class override sel
	local -a dirs=() targets=() links=() drivers=(vfio-pci) spec proc_lines=()
	local resources
	printf -v resources '\t%16x' 0 0 0 0 0 0 0 0 0 0 0 0 0 0
	local zeros10='\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' zeros49

	sel=" $(bench_selected_indexes "$n") "
	zeros49=$zeros10$zeros10$zeros10$zeros10'\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	rm -rf "$root"
	for kind in "${BENCH_KINDS[@]}" "$BENCH_GPU" "$BENCH_AUDIO"; do
		read -r -a spec <<<"$kind"
		[[ ${spec[4]} == - ]] || drivers+=("${spec[4]}")
	done
	for i in $(printf '%s\n' "${drivers[@]}" | sort -u); do
		dirs+=("$root/sys/bus/pci/drivers/$i")
	done
	for ((i = 0; i < n; i++)); do
		bench_addr addr "$i"
		dirs+=("$root/sys/devices/pci0000:00/$addr"
			"$root/sys/kernel/iommu_groups/$i/devices")
		targets+=("../../../devices/pci0000:00/$addr")
	done
	mkdir -p "$root/proc/bus/pci" "$root/dev" "$root/sys/bus/pci/devices" \
		"$root/sys/module/vfio_pci/parameters" \
		"$root/sys/module/vfio/parameters" "${dirs[@]}"
	: >"$root/dev/kmsg"
	: >"$root/sys/bus/pci/drivers_probe"
	printf '%s\n' "$BENCH_CMDLINE" >"$root/proc/cmdline"
	echo N >"$root/sys/module/vfio_pci/parameters/disable_denylist"
	echo N >"$root/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
	for dev in "$root"/sys/bus/pci/drivers/*; do
		: >"$dev/bind"
		: >"$dev/unbind"
		: >"$dev/new_id"
	done
	if ((n > 0)); then
		ln -s -t "$root/sys/bus/pci/devices" "${targets[@]}"
	fi

	for ((i = 0; i < n; i++)); do
		addr=${targets[i]##*/}
		dev=$root/sys/devices/pci0000:00/$addr
		override='(null)'
		if [[ $sel == *" $i "* ]]; then
			if [[ $sel == *" $((i - 1)) "* ]]; then
				kind=$BENCH_AUDIO
			else
				kind=$BENCH_GPU
			fi
		else
			kind=${BENCH_KINDS[i % 16]}
		fi
		read -r vendor device class hdr drv <<<"$kind"
		if [[ $sel == *" $i "* && $mode == bound ]]; then
			drv=vfio-pci
			override=vfio-pci
		fi
		printf '0x%s\n' "$vendor" >"$dev/vendor"
		printf '0x%s\n' "$device" >"$dev/device"
		printf '0x%s\n' "$vendor" >"$dev/subsystem_vendor"
		printf '0x%04x\n' $((i % 7 + 1)) >"$dev/subsystem_device"
		printf '%s\n' "$class" >"$dev/class"
		printf '%s\n' "$override" >"$dev/driver_override"
		# as show_device() prints it; the driver's name left empty
		printf -v 'proc_lines[i]' '%02x%02x\t%s%s\t0%s\t' $((i >> 8)) \
			$((i & 255)) "$vendor" "$device" "$resources"
		# shellcheck disable=SC2059 # the format is the bytes
		printf "\\x${vendor:2:2}\\x${vendor:0:2}\\x${device:2:2}\\x${device:0:2}$zeros10\\x0$hdr$zeros49" \
			>"$dev/config"
		links+=("../../../kernel/iommu_groups/$i" "$dev/iommu_group")
		[[ $drv == - ]] ||
			links+=("../../../bus/pci/drivers/$drv" "$dev/driver")
	done
	: >"$root/proc/bus/pci/devices"
	((n == 0)) || printf '%s\n' "${proc_lines[@]}" >"$root/proc/bus/pci/devices"
	# Two links a function: one perl (Debian's perl-base is essential)
	# instead of 8192 ln processes.
	((${#links[@]} == 0)) || printf '%s\0' "${links[@]}" |
		perl -0 -ne 'chomp; if (defined $t) { symlink($t, $_) or
			die "bench: symlink $_: $!\n"; undef $t } else { $t = $_ }'
}

# The helper's configuration, as it reads it from the root (helper/config):
# on the boot's path these are the host's, so bench_boot_root hides each
# one the host has under an empty directory, as the trees have none.
BENCH_CONFIG_DIRS=(/etc/modprobe.d /run/modprobe.d /usr/local/lib/modprobe.d
	/usr/lib/modprobe.d /lib/modprobe.d /etc/driverctl.d /etc/vfio-bind)

# bench_boot_root TREE EMPTY: in a private mount namespace (unshare
# --mount), make TREE what a process reads as "/" on the boot's path: its
# sys over /sys, its proc/cmdline and proc/bus/pci over /proc's, its
# dev/kmsg over /dev/kmsg, and the empty directory EMPTY over each
# configuration directory of the host (BENCH_CONFIG_DIRS). The rest of "/"
# (the programs, their libraries, /proc/self) stays the host's.
bench_boot_root() {
	local tree=$1 empty=$2 dir
	[[ -d /proc/bus/pci ]] || {
		echo "bench: this system has no /proc/bus/pci to put the tree's over" >&2
		return 1
	}
	mount --bind "$tree/sys" /sys &&
		mount --bind "$tree/proc/cmdline" /proc/cmdline &&
		mount --bind "$tree/proc/bus/pci" /proc/bus/pci &&
		mount --bind "$tree/dev/kmsg" /dev/kmsg || return 1
	for dir in "${BENCH_CONFIG_DIRS[@]}"; do
		# /lib is a link to /usr/lib on a merged /usr: hidden once is enough
		[[ -d $dir && ! $dir -ef $empty ]] || continue
		mount --bind "$empty" "$dir" || return 1
	done
}
