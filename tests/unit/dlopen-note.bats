#!/usr/bin/env bats
# The libraries the helper opens with dlopen(), declared in its ELF note
# (helper/shared/dlopen-note.h) and read from there by both image builders
# (vfio_bind_libraries, hook/vfio-bind-build.sh).

load common

setup() {
	# shellcheck source=/dev/null
	. "$BATS_TEST_DIRNAME/../../hook/vfio-bind-build.sh"
}

# elf NAME C-SOURCE: a program built from C-SOURCE, which may use
# DLOPEN_NOTE()
elf() {
	local out=$BATS_TEST_TMPDIR/$1
	printf '%s\n' '#include "shared/dlopen-note.h"' "$2" 'int main(void) { return 0; }' |
		cc -I"$BATS_TEST_DIRNAME/../../helper" -x c -o "$out" - || return 1
	echo "$out"
}

@test "the helper declares libkmod.so.2 in a .note.dlopen note of type 0x407c0c0a owned by FDO, stripped too" {
	local stripped=$BATS_TEST_TMPDIR/vfio-bind
	strip -o "$stripped" "$VFIO_BIND"
	for helper in "$VFIO_BIND" "$stripped"; do
		# (binutils before 2.43 exits 1 on a note type it does not know)
		run readelf --notes "$helper"
		assert_output --regexp $'Displaying notes found in: \\.note\\.dlopen\n[^\n]*\n +FDO +0x[0-9a-f]+\t[^\n]*(0x407c0c0a|FDO_DLOPEN_METADATA)'
		run -0 readelf -p .note.dlopen "$helper"
		assert_output --partial '[{"feature":"kmod","description":"loading vfio-pci and the modules it needs","priority":"recommended","soname":["libkmod.so.2"]}]'
	done
}

@test "the builders carry the sonames of the note, in its order, those of priority suggested left out" {
	local program
	program=$(elf notes 'DLOPEN_NOTE(a, "a", "the first", DLOPEN_PRIORITY_RECOMMENDED, "liba.so.1");
DLOPEN_NOTE(b, "b", "only nice", DLOPEN_PRIORITY_SUGGESTED, "libb.so.2");
DLOPEN_NOTE(c, "c", "the last", DLOPEN_PRIORITY_REQUIRED, "libc-test.so.3");')
	run -0 --separate-stderr vfio_bind_libraries "$program"
	assert_output $'liba.so.1\nlibc-test.so.3'
	assert_equal "$stderr" ""
	# the helper's own
	run -0 --separate-stderr vfio_bind_libraries "$VFIO_BIND"
	assert_output libkmod.so.2
}

@test "a note whose soname array names several libraries carries each" {
	local program
	# as other programs write it: spaces, two sonames, no priority
	program=$(elf several '__attribute__((used, section(".note.dlopen"), aligned(4))) static const struct {
	unsigned namesz, descsz, type; char owner[4];
	__attribute__((aligned(4))) char json[80];
} n = { 4, 80, 0x407c0c0a, "FDO", "[ { \"soname\" : [ \"libx.so.1\", \"liby.so.2\" ] } ]" };')
	run -0 vfio_bind_libraries "$program"
	assert_output $'libx.so.1\nliby.so.2'
}

@test "a program without the note (a helper linked with libkmod) carries no library" {
	local program
	program=$(elf plain '')
	run -0 --separate-stderr vfio_bind_libraries "$program"
	assert_output ""
	assert_equal "$stderr" ""
}

@test "without readelf the builders carry libkmod.so.2 and say why in one line" {
	local bin=$BATS_TEST_TMPDIR/bin tool
	mkdir "$bin"
	for tool in grep sed tr mktemp cat rm; do
		ln -s "$(command -v "$tool")" "$bin/$tool"
	done
	PATH=$bin run -0 --separate-stderr vfio_bind_libraries "$VFIO_BIND"
	assert_output libkmod.so.2
	assert_equal "$stderr" "vfio-bind: no readelf (binutils) to read $VFIO_BIND's .note.dlopen; carrying libkmod.so.2, the library vfio-bind opens with dlopen()"
	# control: with readelf, from the note, nothing on stderr
	run -0 --separate-stderr vfio_bind_libraries "$VFIO_BIND"
	assert_equal "$stderr" ""
}

@test "a helper readelf cannot read carries libkmod.so.2 and says why in one line" {
	local broken=$BATS_TEST_TMPDIR/vfio-bind
	head -c 100 "$VFIO_BIND" >"$broken"
	run -0 --separate-stderr vfio_bind_libraries "$broken"
	assert_output libkmod.so.2
	assert_equal "$stderr" "vfio-bind: readelf cannot read $broken as an ELF file; carrying libkmod.so.2, the library vfio-bind opens with dlopen()"
}
