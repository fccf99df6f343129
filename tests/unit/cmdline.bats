#!/usr/bin/env bats
# vfio-pci.ids= read as libkmod passes it and vfio_pci_fill_ids() parses it.

load common

setup() {
	fake_workstation
}

# plan_for [-N|!] CMDLINE: plan with that kernel command line
plan_for() {
	fake_cmdline "${!#}"
	plan "${@:1:$#-1}"
}

@test "vfio-pci.ids= selects the listed functions" {
	plan_for -0 "quiet vfio-pci.ids=10de:1c30,10de:10f1"
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci
$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
}

@test "vfio_pci.ids= is the same module" {
	plan_for -0 "vfio_pci.ids=10de:10f1"
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
}

@test "the last occurrence wins" {
	plan_for -0 "vfio-pci.ids=10de:1c30 root=/dev/sda1 vfio_pci.ids=10de:10f1"
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
}

@test "a quoted value is unquoted" {
	plan_for -0 'vfio-pci.ids="10de:1c30,10de:10f1" quiet'
	assert_line --index 0 --partial "$GPU "
	assert_line --index 1 --partial "$AUDIO "
}

@test "a wholly quoted word is unquoted" {
	plan_for -0 '"vfio-pci.ids=10de:1c30,10de:10f1" quiet'
	assert_equal "${#lines[@]}" 2
}

@test "a quote inside the value stays and spoils its entry" {
	plan_for -0 'vfio-pci.ids=10de:1c30,"10de:10f1"'
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	stderr_has 'entry ""10de:10f1"" is not vendor:device'
}

@test "a quote in the module or parameter name spoils the word" {
	plan_for -0 'vfio-pci."ids"=10de:1c30'
	assert_output ""
	stderr_has "no vfio-pci.ids= or vfio-bind.addrs= on the kernel command line"
}

@test "an unterminated quote loses the parameter, as libkmod does" {
	plan_for -0 'vfio-pci.ids="10de:1c30 quiet'
	assert_output ""
}

@test "a quoted value keeps its spaces; %x skips leading ones" {
	plan_for -0 'vfio-pci.ids=" 10de:1c30"'
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "junk and short entries are warned about and skipped; the rest apply" {
	plan_for -0 "vfio-pci.ids=junk,10de,,10de:10f1"
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has 'entry "junk" is not vendor:device'
	stderr_has 'entry "10de" is not vendor:device'
	stderr_lacks 'entry ""'
}

@test "trailing junk after two fields is accepted, as sscanf stops there" {
	plan_for -0 "vfio-pci.ids=10de:1c30junk"
	assert_output --partial "$GPU "
}

@test "upper-case hex and 0x prefixes read as %x reads them" {
	plan_for -0 "vfio-pci.ids=10DE:1C30,0x10de:0X10F1"
	assert_equal "${#lines[@]}" 2
}

@test "an ID wider than 32 bits keeps its low 32 bits" {
	plan_for -0 "vfio-pci.ids=10000010de:1c30,110de:10f1"
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "ffffffff is a wildcard in every ID field" {
	plan_for -0 "vfio-pci.ids=10de:ffffffff"
	assert_equal "${#lines[@]}" 2
	plan_for -0 "vfio-pci.ids=ffffffff:ffffffff:1028:11b3"
	assert_equal "${#lines[@]}" 2
	plan_for "vfio-pci.ids=ffffffff:ffffffff:ffffffff:a801 root=/dev/nfs"
	assert_output --partial "0000:02:00.0 144d:a808 nvme -> vfio-pci"
}

@test "subsystem IDs narrow the match" {
	plan_for "vfio-pci.ids=10de:1c30:1028:11b3"
	assert_output --partial "$GPU "
	plan_for -0 "vfio-pci.ids=10de:1c30:1028:0000"
	assert_output ""
	stderr_has "the selection names no PCI function"
}

@test "class compares under the mask on the 24-bit class" {
	plan_for "vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:040300:ffffff"
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	plan_for "vfio-pci.ids=10de:ffffffff:ffffffff:ffffffff:030000:ff0000"
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	plan_for "vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:010000:ff0000 root=/dev/nfs"
	assert_output "0000:02:00.0 144d:a808 nvme -> vfio-pci"
}

@test "a class without a mask matches every class" {
	plan_for "vfio-pci.ids=10de:1c30:ffffffff:ffffffff:040300"
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "a value of 1023 characters is accepted" {
	local value
	value="10de:1c30$(printf ',%.0s' $(seq 1014))"
	assert_equal "${#value}" 1023
	plan_for -0 "vfio-pci.ids=$value"
	assert_output --partial "$GPU "
}

@test "a value over 1023 characters is refused, as vfio-pci would fail to load" {
	local value
	value="10de:1c30$(printf ',%.0s' $(seq 1015))"
	assert_equal "${#value}" 1024
	plan_for -2 "vfio-pci.ids=$value"
	assert_output ""
	stderr_has "is 1024 characters long and the kernel refuses more than 1023"
	# Even when a later occurrence fits: the kernel sets each in turn.
	plan_for -2 "vfio-pci.ids=$value vfio-pci.ids=10de:1c30"
}

@test "vfio-pci.ids without a value is refused" {
	plan_for -2 "vfio-pci.ids"
	stderr_has "vfio-pci.ids without '=' makes vfio-pci fail to load"
}

@test "an empty vfio-pci.ids= selects nothing" {
	plan_for -0 "vfio-pci.ids="
	assert_output ""
	stderr_has "the selection names no PCI function"
}

@test "other modules' and other parameters' words do not count" {
	plan_for -0 "vfio.ids=10de:1c30 xvfio-pci.ids=10de:1c30 vfio-pci.idsx=10de:1c30 vfio-pci.ids.x=10de:1c30"
	assert_output ""
	stderr_has "no vfio-pci.ids= or vfio-bind.addrs= on the kernel command line"
}

@test "no parameter at all: nothing to do" {
	plan_for -0 "root=/dev/sda1 quiet"
	assert_output ""
	stderr_is "vfio-bind: no vfio-pci.ids= or vfio-bind.addrs= on the kernel command line, no options vfio-pci ids= in modprobe.d, no driverctl override to vfio-pci: nothing to do"
}
