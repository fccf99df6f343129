#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/..
# A current Debian release's own images, booted with its own kernel: the
# system of VB_DISTRO (a NAME of tests/boot/distributions) built vfio-bind,
# installed it and made the images with its own dracut and initramfs-tools
# (tests/boot/distro, distro-images). tests/run runs this file once for each
# release, its tests named "[NAME] ...".
#
# One machine for every boot but two: the GPU and its audio function (host
# drivers bochs-drm and snd_hda_intel, which udev loads), a PCI serial port
# held by a driver built into the kernel (8250_pci), and three identical
# NVMe controllers, the real root on the first and blank disks on the other
# two; all four models are selected, the root is root=UUID=.
#   IMAGE            dracut-systemd, dracut-shell, mkinitramfs: IOMMU on,
#                    vfio-pci.ids= of the four models. The pair and the serial
#                    port go to vfio-pci before udev; the NVMe controllers
#                    wait for the pass once the root device exists, which
#                    keeps the root's and takes both blank ones (identical
#                    to it: the guard, not chance, keeps the first)
#   IMAGE-noiommu    no IOMMU: nothing changes, and the log says why; the
#                    control of the IMAGE boot in its own image
#   dracut-systemd-control, package-control (initramfs-tools)
#                    the images built without vfio-bind: every function
#                    keeps its host driver (VB_ALL=1: dracut-shell-control)
#   dracut-systemd-config
#                    the operator's configuration outside the kernel
#                    command line: options vfio-pci ids= of the four models
#                    in modprobe.d and root= stored in the image, neither on
#                    the command line (VB_ALL=1: dracut-shell-config,
#                    mkinitramfs-config)
#   dracut-systemd-noids
#                    its control: the plain image, the same command line;
#                    the pair, the serial port and the virtio root disk
#                    only, nothing is selected
#   package          the image the Debian package's trigger rebuilt
#                    (update-initramfs) when dpkg -i installed it; its
#                    control is package-control, the image the kernel's
#                    installation built before it
#   grub-apply       (releases of VB_GRUB_DISTROS) no -kernel: the firmware
#                    boots a disk of the release's system through GRUB for
#                    BIOS, whose configuration `vfio-bind kargs --apply`
#                    wrote with update-grub (tests/boot/grub-setup); the
#                    real root is the harness's, named by GRUB_CMDLINE_LINUX;
#                    the pair, and the IOMMU device, no other argument
#   grub-control     the same disk before kargs --apply

# shellcheck source=tests/boot/common.bash
. "$BATS_TEST_DIRNAME/../common.bash"

[[ -n $VB_DISTRO ]] || {
	echo "VB_DISTRO is not set: tests/run boots this file once for each release of tests/boot/distributions" >&2
	exit 1
}

# The boots of make check, and those VB_ALL=1 (make check-all) adds.
BOOTS="dracut-systemd dracut-shell mkinitramfs dracut-systemd-noiommu
dracut-shell-noiommu mkinitramfs-noiommu dracut-systemd-control
dracut-systemd-config dracut-systemd-noids package package-control"
ALL_BOOTS="dracut-shell-control dracut-shell-config mkinitramfs-config"

setup_file() {
	local -a boots
	vb_lock
	logged "$VB_CACHE/build.log" "$VB_DIR/build" --disks || return 1
	mkdir -p "$VB_CACHE/distros"
	logged "$VB_CACHE/distros/$VB_DISTRO.log" "$VB_DIR/distro" "$VB_DISTRO" || return 1
	# shellcheck disable=SC2206 # one boot a word
	boots=($BOOTS ${VB_ALL:+$ALL_BOOTS})
	! grub_disks || boots+=(grub-apply grub-control)
	vb_boot_all boot_one "${boots[@]}"
}

# grub_disks: this release's GRUB disks are made (VB_GRUB_DISTROS)
grub_disks() {
	[[ " $VB_GRUB_DISTROS " == *" $VB_DISTRO "* ]]
}

# boot_grub NAME: grub-apply or grub-control, from its disk
boot_grub() {
	vb_devices
	vb_boot_firmware "$1" "${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_SERIAL[@]}" \
		-drive "file=$VB_DISTRO_DIR/grub/${1#grub-}.img,format=raw,if=none,id=grubdisk,snapshot=on" \
		-device "virtio-blk-pci,drive=grubdisk,bus=pcie.0,addr=${VB_DATA_DISK#0000:00:},bootindex=0" \
		"${VB_DEV_ROOT[@]}"
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 root="root=UUID=$VB_ROOT_UUID" ids=$VB_DISTRO_IDS
	vb_kernel_vars
	vb_devices
	local -a machine=("${VB_DEV_GPU[@]}" "${VB_DEV_SERIAL[@]}" "${VB_DEV_NVME_ROOT_TWINS[@]}")
	local -a iommu=("${VB_DEV_IOMMU[@]}")
	local image=${name%-noiommu}
	case $name in
	grub-*)
		boot_grub "$name"
		return
		;;
	*-noiommu) iommu=() ;;
	*-config) root='' ids='' ;;
	*-noids)
		image=${name%-noids} ids=''
		machine=("${VB_DEV_GPU[@]}" "${VB_DEV_SERIAL[@]}" "${VB_DEV_ROOT[@]}")
		;;
	esac
	vb_boot "$name" "$VB_IMAGES/$image.img" \
		"$(VB_ROOT_ARG=$root VB_IDS=$ids vb_cmdline)${iommu:+ intel_iommu=on}" \
		"${iommu[@]}" "${machine[@]}"
}

# rootdev_on ADDR: the real root was mounted from a disk of that function
rootdev_on() {
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$1")/"
}

# taken ADDR ID FROM: ADDR went from FROM (a regexp) to vfio-pci, and the
# log says so
taken() {
	pci initial "$1" "$2" vfio-pci vfio-pci
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$1") \\[$2\\] $3 -> vfio-pci$"
}

# no_error: no vfio-bind line at error level, nor about a step that failed
no_error() {
	refute_line --regexp '^VFIOTEST kmsg <3>'
	refute_line --regexp '^VFIOTEST kmsg .*vfio-bind: .*(cannot|failed|did not)'
}

# check_taken BOOT: the pair and the serial port went to vfio-pci
check_taken() {
	run_boot "$1"
	taken "$VB_GPU" "$VB_GPU_ID" '(bochs-drm|no driver)'
	taken "$VB_AUDIO" "$VB_AUDIO_ID" '(snd_hda_intel|no driver)'
	# held by a built-in driver from the start: there was no race to win
	taken "$VB_SERIAL" "$VB_SERIAL_ID" serial
	# the host drivers were there, loaded by udev in the initramfs, and lost
	assert_line "VFIOTEST module bochs"
	assert_line "VFIOTEST module snd_hda_intel"
	no_error
}

# check_late BOOT KEPT-BECAUSE: the late pass kept the root's controller,
# saying KEPT-BECAUSE (a regexp), and took the two blank ones after the pass
# before udev had deferred them
check_late() {
	local deferred taken_at nvme
	run_boot "$1"
	rootdev_on "$VB_NVME_A"
	pci initial "$VB_NVME_A" "$VB_NVME_ID" nvme -
	taken "$VB_NVME_B" "$VB_NVME_ID" nvme
	taken "$VB_NVME_C" "$VB_NVME_ID" nvme
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") \\[$VB_NVME_ID\\] not taken: $2$"
	refute_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") .*-> vfio-pci"
	for nvme in "$VB_NVME_B" "$VB_NVME_C"; do
		deferred=$(line_index "vfio-bind: $(re "$nvme") .* deferred: ")
		taken_at=$(line_index "vfio-bind: $(re "$nvme") .* nvme -> vfio-pci")
		assert [ "$deferred" -lt "$taken_at" ]
	done
	no_error
}

# left_alone BOOT: every function of the machine kept its host driver
left_alone() {
	run_boot "$1"
	rootdev_on "$VB_NVME_A"
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	pci initial "$VB_SERIAL" "$VB_SERIAL_ID" serial -
	pci initial "$VB_NVME_A" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_B" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_C" "$VB_NVME_ID" nvme -
	refute_line --regexp "^VFIOTEST pci initial .* vfio-pci$"
}

# check_noiommu IMAGE
check_noiommu() {
	left_alone "$1-noiommu"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: .*IOMMU is off"
	refute_line --partial "vfio-bind: loaded vfio-pci"
}

# check_control BOOT: a boot of an image without vfio-bind
check_control() {
	refute_vfio_bind_files "$1"
	left_alone "$1"
	refute_line --partial "VFIOTEST kmsg"
}

# unit_ran BOOT UNIT: systemd finished UNIT in the boot BOOT
unit_ran() {
	grep -aq "Finished .*$2" "$VB_LOGS/$1.log"
}

# check_config IMAGE: the selection from modprobe.d and root= from the
# image; control: the plain image with the same command line
check_config() {
	run_boot "$1-config"
	refute_line --regexp '^VFIOTEST root (.* )?(root|vfio.pci\.ids)='
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_GPU") \\[$VB_GPU_ID\\] selected by options vfio-pci ids= in /etc/modprobe\\.d/zz-vfio-bind\\.conf line [0-9]+$"
	check_taken "$1-config"
	check_late "$1-config" "carries a kept device \\(nvme[0-9]+n1, /dev/.+\\)"
	run_boot dracut-systemd-noids
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	pci initial "$VB_SERIAL" "$VB_SERIAL_ID" serial -
	assert_line --partial "vfio-bind: no vfio-pci.ids="
}

# all_only: skip, and say so, unless VB_ALL=1 (make check-all)
all_only() {
	[[ ${VB_ALL-} == 1 ]] || skip "make check-all (VB_ALL=1) boots it"
}

@test "dracut-systemd: the GPU, its audio function and a built-in driver's function go to vfio-pci before their host drivers" {
	check_taken dracut-systemd
}
@test "dracut-systemd: the late pass keeps the NVMe root's controller and takes both identical blank ones" {
	check_late dracut-systemd "carries root \\(nvme[0-9]+n1, UUID=$VB_ROOT_UUID\\)"
}
@test "dracut-systemd: without an IOMMU nothing changes, and the log says why" {
	check_noiommu dracut-systemd
}
@test "dracut-systemd: control: built without vfio-bind, every function keeps its host driver" {
	check_control dracut-systemd-control
}
# console_line BOOT REGEXP: the number of the first console line of BOOT
# that matches
console_line() {
	local n
	n=$(grep -an -m1 -E "$2" "$VB_LOGS/$1.log" | cut -d: -f1)
	[[ -n $n ]] || fail "no line of $1's console matches $2"
	echo "$n"
}

@test "dracut-systemd: the late pass is vfio-bind-late.service, before the root is mounted, no dracut hook; control: nothing deferred, it does not start" {
	local late mount
	run -0 vb_image_files "$VB_IMAGES/dracut-systemd.img"
	assert_line --regexp '/systemd/system/vfio-bind-late\.service$'
	refute_line --regexp '/hooks/.*vfio-bind'
	# control: the shell image has its hooks there
	run -0 vb_image_files "$VB_IMAGES/dracut-shell.img"
	assert_line --regexp '/hooks/pre-mount/[0-9]+-vfio-bind-pre-mount\.sh$'
	late=$(console_line dracut-systemd 'Finished .*vfio-bind-late\.service')
	mount=$(console_line dracut-systemd 'Mounting .*sysroot\.mount')
	((late < mount)) || fail "the late pass finished on line $late, after sysroot.mount started on line $mount"
	unit_ran dracut-systemd vfio-bind.service ||
		fail "vfio-bind.service did not run in the dracut-systemd boot"
	# the late pass ran, so the report unit found no note
	! unit_ran dracut-systemd vfio-bind-report.service ||
		fail "vfio-bind-report.service ran in the dracut-systemd boot"
	run_boot dracut-systemd-noids
	! unit_ran dracut-systemd-noids vfio-bind-late.service ||
		fail "vfio-bind-late.service ran in dracut-systemd-noids, where nothing was deferred"
}
@test "dracut-systemd: the operator's modprobe.d and root= stored in the image: selected from modprobe.d, the late pass finds the root device itself; control: without them nothing is selected" {
	check_config dracut-systemd
}

@test "dracut-shell: the GPU, its audio function and a built-in driver's function go to vfio-pci before their host drivers" {
	check_taken dracut-shell
}
@test "dracut-shell: the late pass keeps the NVMe root's controller and takes both identical blank ones" {
	check_late dracut-shell "carries root \\(nvme[0-9]+n1, UUID=$VB_ROOT_UUID\\)"
}
@test "dracut-shell: without an IOMMU nothing changes, and the log says why" {
	check_noiommu dracut-shell
}
@test "dracut-shell: control: built without vfio-bind, every function keeps its host driver [VB_ALL=1]" {
	all_only
	check_control dracut-shell-control
}
@test "dracut-shell: the operator's modprobe.d and root= stored in the image [VB_ALL=1]" {
	all_only
	check_config dracut-shell
}

@test "mkinitramfs: the GPU, its audio function and a built-in driver's function go to vfio-pci before their host drivers" {
	check_taken mkinitramfs
}
@test "mkinitramfs: the late pass keeps the NVMe root's controller and takes both identical blank ones" {
	check_late mkinitramfs "carries root \\(nvme[0-9]+n1, UUID=$VB_ROOT_UUID\\)"
}
@test "mkinitramfs: without an IOMMU nothing changes, and the log says why" {
	check_noiommu mkinitramfs
}
@test "mkinitramfs: control: the image the kernel's installation built, without vfio-bind: every function keeps its host driver" {
	check_control package-control
}
@test "mkinitramfs: the operator's modprobe.d and ROOT= in initramfs.conf [VB_ALL=1]" {
	all_only
	check_config mkinitramfs
}

@test "package: the Debian package built here and installed with dpkg -i rebuilt the image, which takes the pair and the blank NVMe controllers" {
	check_taken package
	check_late package "carries root \\(nvme[0-9]+n1, UUID=$VB_ROOT_UUID\\)"
}

@test "README.md's table of what the tests boot gives this release's versions" {
	local label row dracut itools systemd
	label=$(awk -v n="$VB_DISTRO" '$1 == n { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' \
		"$VB_DIR/distributions")
	read -r _ dracut < <(grep '^dracut-core ' "$VB_DISTRO_DIR/versions")
	read -r _ itools < <(grep '^initramfs-tools ' "$VB_DISTRO_DIR/versions")
	read -r _ systemd < <(grep '^systemd ' "$VB_DISTRO_DIR/versions")
	assert_readme_row "$label" "$(first_parts 2 "$(cat "$VB_DISTRO_DIR/kernel")")" \
		"$dracut" "$itools" "$systemd"
}

# grub_only: skip, and say so, for a release without GRUB disks
grub_only() {
	grub_disks || skip "$VB_DISTRO has no GRUB disks (VB_GRUB_DISTROS: $VB_GRUB_DISTROS)"
}

@test "GRUB: the arguments vfio-bind kargs --apply wrote reach the kernel through GRUB, and the pair goes to vfio-pci; control: before --apply, neither" {
	grub_only
	run_boot grub-apply
	# GRUB's linux command, not QEMU's -kernel, started this kernel
	assert_line --regexp "^VFIOTEST root BOOT_IMAGE=/boot/vmlinuz-"
	assert_line --regexp "^VFIOTEST root .* vfio-pci\.ids=$VB_GPU_ID,$VB_AUDIO_ID( |$)"
	taken "$VB_GPU" "$VB_GPU_ID" '(bochs-drm|no driver)'
	taken "$VB_AUDIO" "$VB_AUDIO_ID" '(snd_hda_intel|no driver)'
	assert_line "VFIOTEST status check 0"
	no_error
	run_boot grub-control
	assert_line --regexp "^VFIOTEST root BOOT_IMAGE=/boot/vmlinuz-"
	refute_line --regexp "^VFIOTEST root .*vfio-pci\.ids="
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	refute_line --regexp "^VFIOTEST pci initial .* vfio-pci$"
}
