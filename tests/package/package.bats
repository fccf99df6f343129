#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# shellcheck disable=SC2016 # bash -c scripts and --qf formats: not expanded here
# The distribution packages: built from clean copies of this tree by
# tests/package/build (dpkg-buildpackage and rpmbuild, then lintian and
# rpmlint), then taken apart and installed into a throwaway root. Their
# boots are in tests/boot/package.bats.
#
# setup_file builds the Debian package twice, each time from its own clean
# copy in its own directory, and the RPM once.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup_file() {
	export TOP PKG VERSION
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	PKG=$BATS_FILE_TMPDIR
	VERSION=$(cat "$TOP/VERSION")
	local kind
	for kind in deb deb-again rpm; do
		if ! "$TOP/tests/package/build" "${kind%-again}" "$PKG/$kind" >"$PKG/$kind.log" 2>&1; then
			cat "$PKG/$kind.log" >&3
			return 1
		fi
	done
	DEB=$PKG/deb/vfio-bind_${VERSION}_amd64.deb
	dpkg -x "$DEB" "$PKG/deb.tree"
	dpkg -x "$PKG/deb/vfio-bind-dbgsym_${VERSION}_amd64.deb" "$PKG/dbgsym.tree"
}

setup() {
	DEB=$PKG/deb/vfio-bind_${VERSION}_amd64.deb
	RPM=$PKG/rpm/vfio-bind-$VERSION-1.x86_64.rpm
}

# build_path DIR: the directory the build of DIR ran in, from its log
# (dpkg-buildflags maps it to "." with -ffile-prefix-map)
build_path() {
	sed -n 's/.*-ffile-prefix-map=\([^=]*\)=\..*/\1/p' "$1/build.log" | head -n 1
}

@test "deb: dpkg-buildpackage builds it; lintian finds no error and no warning" {
	run -0 lintian --fail-on error,warning "$PKG/deb/vfio-bind_${VERSION}_amd64.changes"
	refute_output --regexp '^[EW]: '
	# and it did look: the binary and the -dbgsym package
	run -0 lintian --fail-on error,warning --display-level '>=pedantic' --show-overrides \
		"$DEB" "$PKG/deb/vfio-bind-dbgsym_${VERSION}_amd64.deb"
	refute_output --regexp '^[EW]: '
}

@test "deb: two builds from clean copies in different directories are byte-identical" {
	local a b f
	a=$(build_path "$PKG/deb")
	b=$(build_path "$PKG/deb-again")
	[[ -n $a && -n $b ]] || fail "no -ffile-prefix-map in the build logs"
	# not the same path twice, so the path cannot hide in the result
	assert [ "$a" != "$b" ]
	for f in "vfio-bind_${VERSION}_amd64.deb" "vfio-bind-dbgsym_${VERSION}_amd64.deb"; do
		run -0 cmp "$PKG/deb/$f" "$PKG/deb-again/$f"
	done
	# no build path in any file, the debug information included
	run -1 grep -r -a -l -F -e "$a" "$PKG/deb.tree" "$PKG/dbgsym.tree"
	# control: the same search finds it in the build's own log
	run -0 grep -c -F -e "$a" "$PKG/deb/build.log"
}

@test "deb: Depends has libkmod2 (dlopen), Recommends initramfs-tools | dracut and pci.ids" {
	run -0 dpkg-deb -f "$DEB" Depends
	assert_output --regexp '(^|, )libkmod2(,|$)'
	assert_output --regexp '(^|, )libblkid1 '
	run -0 dpkg-deb -f "$DEB" Recommends
	assert_output "initramfs-tools | dracut, pci.ids"
	run -0 dpkg-deb -f "$DEB" Version
	assert_output "$VERSION"
}

@test "deb: the trigger that rebuilds the initramfs is declared, and no maintainer script" {
	run -0 bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -t | LC_ALL=C sort' - "$DEB"
	assert_output "$(printf '%s\n' ./ ./control ./md5sums ./triggers)"
	run -0 bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -xO ./triggers | grep -v "^#"' - "$DEB"
	assert_output "activate-noawait update-initramfs"
}

@test "deb: the files, both integrations included; the helper stripped, its debug info in -dbgsym" {
	local id
	run -0 bash -c 'dpkg-deb -c "$1" | awk "{ print \$6 }" | grep -v "/$"' - "$DEB"
	assert_output "$(printf '%s\n' \
		./usr/lib/dracut/modules.d/50vfio-bind/module-setup.sh \
		./usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-late.service \
		./usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-late.sh \
		./usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-pre-mount.sh \
		./usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-pre-udev.sh \
		./usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-report.service \
		./usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-report.sh \
		./usr/lib/dracut/modules.d/50vfio-bind/vfio-bind.service \
		./usr/sbin/vfio-bind \
		./usr/share/doc/vfio-bind/changelog.gz \
		./usr/share/doc/vfio-bind/copyright \
		./usr/share/initramfs-tools/hooks/vfio-bind \
		./usr/share/initramfs-tools/scripts/init-bottom/vfio-bind \
		./usr/share/initramfs-tools/scripts/init-top/00-vfio-bind \
		./usr/share/initramfs-tools/scripts/local-premount/vfio-bind \
		./usr/share/initramfs-tools/scripts/nfs-bottom/vfio-bind \
		./usr/share/man/man8/vfio-bind.8.gz \
		./usr/share/vfio-bind/vfio-bind-build.sh \
		./usr/share/vfio-bind/vfio-bind.sh)"
	run -0 readelf -S "$PKG/deb.tree/usr/sbin/vfio-bind"
	refute_output --partial .debug_info
	refute_output --partial .symtab
	id=$(readelf -n "$PKG/deb.tree/usr/sbin/vfio-bind" | sed -n 's/.*Build ID: //p')
	[[ -n $id ]] || fail "the helper has no build ID"
	run -0 readelf -S "$PKG/dbgsym.tree/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
	assert_output --partial .debug_info
}

@test "deb: the helper is built with Debian's hardening flags (PIE, full RELRO, fortify, stack protector)" {
	local helper=$PKG/deb.tree/usr/sbin/vfio-bind
	run -0 readelf -h "$helper"
	assert_output --regexp 'Type: +DYN'
	run -0 readelf -d "$helper"
	assert_output --regexp '\(FLAGS_1\) +Flags: NOW PIE'
	run -0 readelf -lW "$helper"
	assert_output --partial GNU_RELRO
	run -0 readelf --dyn-syms -W "$helper"
	assert_output --partial __stack_chk_fail
	assert_output --regexp '__[a-z]+_chk@'
	# control: built from the same sources without Debian's flags, in a
	# copy, it has no fortified call
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t"
	cp "$TOP/Makefile" "$TOP/VERSION" "$t/"
	(cd "$TOP" && cp --parents helper/*/*.[ch] "$t/")
	run -0 make -s -C "$t" CFLAGS=-O2 CPPFLAGS= vfio-bind
	run -0 readelf --dyn-syms -W "$t/vfio-bind"
	refute_output --regexp '__[a-z]+_chk@'
}

# unit_test_result KIND NAME: the line after the command ./tests/unit/NAME
# (as make echoes it, or rpmbuild's "+ " trace) in the build log of KIND
unit_test_result() {
	awk -v cmd="./tests/unit/$2" 'found { print; exit }
		$0 == cmd || $0 == "+ " cmd { found = 1 }' "$PKG/$1/build.log"
}

@test "both package builds run the C unit tests, and all of them pass" {
	local kind name result
	for kind in deb rpm; do
		for name in cmdline-test modules-test; do
			result=$(unit_test_result "$kind" "$name")
			[[ $result =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]] ||
				fail "$kind build: ./tests/unit/$name gave '$result'"
		done
	done
}

@test "version: VERSION, --version, the man page, debian/changelog, the spec and both packages agree" {
	run -0 "$PKG/deb.tree/usr/sbin/vfio-bind" --version
	assert_output "vfio-bind $VERSION"
	run -0 bash -c 'zcat "$1" | head -n 1' - "$PKG/deb.tree/usr/share/man/man8/vfio-bind.8.gz"
	assert_output --partial "\"vfio-bind $VERSION\""
	run -0 dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version
	assert_output "$VERSION"
	run -0 rpmspec -q --srpm --qf '%{VERSION}\n' "$TOP/rpm/vfio-bind.spec"
	assert_output "$VERSION"
	run -0 rpm -qp --qf '%{VERSION}\n' "$RPM"
	assert_output "$VERSION"
	run -0 make -s -C "$TOP" --no-print-directory check-version
}

@test "version: control: make check-version fails when the spec or debian/changelog says another" {
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/debian" "$t/rpm"
	cp "$TOP/Makefile" "$TOP/VERSION" "$t/"
	cp "$TOP/debian/changelog" "$t/debian/"
	cp "$TOP/rpm/vfio-bind.spec" "$t/rpm/"
	run -0 make -s -C "$t" check-version
	sed -i 's/^Version:.*/Version: 9.9.9/' "$t/rpm/vfio-bind.spec"
	run -2 make -s -C "$t" check-version
	assert_output --partial "rpm/vfio-bind.spec says 9.9.9"
	cp "$TOP/rpm/vfio-bind.spec" "$t/rpm/"
	sed -i '1s/(.*)/(9.9.9)/' "$t/debian/changelog"
	run -2 make -s -C "$t" check-version
	assert_output --partial "debian/changelog says 9.9.9"
}

@test "rpm: rpmbuild -bb builds it; rpmlint finds no error and no warning" {
	run -0 rpmlint -c "$TOP/rpm/rpmlint.toml" "$TOP/rpm/vfio-bind.spec" "$RPM"
	assert_output --regexp ' 0 errors, 0 warnings'
	refute_output --regexp ': [EW]: '
	# control: without the project's configuration, the same run complains
	run ! rpmlint "$TOP/rpm/vfio-bind.spec" "$RPM"
	assert_output --regexp ': E: '
}

@test "rpm: the helper and the dracut module, no initramfs-tools file; Requires libkmod.so.2; no scriptlet" {
	run -0 rpm -qlp "$RPM"
	assert_line /usr/sbin/vfio-bind
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/module-setup.sh
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-pre-udev.sh
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-pre-mount.sh
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/vfio-bind.service
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-late.service
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-late.sh
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-report.service
	assert_line /usr/lib/dracut/modules.d/50vfio-bind/vfio-bind-report.sh
	assert_line /usr/share/vfio-bind/vfio-bind.sh
	assert_line /usr/share/vfio-bind/vfio-bind-build.sh
	assert_line /usr/share/man/man8/vfio-bind.8.gz
	refute_output --partial initramfs-tools
	run -0 rpm -qp --requires "$RPM"
	assert_line 'libkmod.so.2()(64bit)'
	assert_line --partial 'libblkid.so.1()(64bit)'
	run -0 rpm -qp --scripts "$RPM"
	assert_output ""
	# stripped, with its debug information in -debuginfo
	run -0 bash -c 'rpm2cpio "$1" | cpio -i --quiet --to-stdout ./usr/sbin/vfio-bind >"$2"' \
		- "$RPM" "$BATS_TEST_TMPDIR/helper"
	run -0 readelf -S "$BATS_TEST_TMPDIR/helper"
	refute_output --partial .debug_info
	run -0 rpm -qlp "$PKG/rpm/vfio-bind-debuginfo-$VERSION-1.x86_64.rpm"
	assert_output --regexp '/usr/lib/debug/usr/sbin/vfio-bind-.*\.debug'
}

# throwaway_root DIR: an empty dpkg database, a static busybox as /bin/sh
# for the maintainer scripts dpkg runs in a chroot there, and a stand-in
# initramfs-tools: it declares interest in the update-initramfs trigger,
# as the real initramfs-tools (and Debian's dracut) do, and its postinst
# logs each time the trigger runs it, to /var/log/update-initramfs.
throwaway_root() {
	local root=$1 fake=$BATS_TEST_TMPDIR/fake-initramfs-tools applet
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" \
		"$root/var/log" "$root/bin" "$root/tmp"
	: >"$root/var/lib/dpkg/status"
	cp /bin/busybox "$root/bin/busybox"
	for applet in sh echo; do
		ln -s busybox "$root/bin/$applet"
	done
	if [[ ! -e $fake.deb ]]; then
		mkdir -p "$fake/DEBIAN"
		cat >"$fake/DEBIAN/control" <<-EOF
			Package: initramfs-tools
			Version: 0.0-test
			Architecture: all
			Maintainer: vfio-bind tests <tests@example.invalid>
			Description: stand-in that logs the update-initramfs trigger
		EOF
		echo "interest-noawait update-initramfs" >"$fake/DEBIAN/triggers"
		printf '%s\n' '#!/bin/sh' \
			'[ "$1" = triggered ] && echo "triggered $2" >>/var/log/update-initramfs' \
			'exit 0' >"$fake/DEBIAN/postinst"
		chmod 0755 "$fake/DEBIAN/postinst"
		dpkg-deb --root-owner-group -b "$fake" "$fake.deb" >/dev/null
	fi
	dpkg --root="$root" -i "$fake.deb" >/dev/null
}

# tree ROOT: every path under ROOT but dpkg's own database and the log
tree() {
	(cd "$1" && find . -path ./var/lib/dpkg -prune -o \
		-path ./var/log/update-initramfs -prune -o -print | LC_ALL=C sort)
}

@test "dpkg --root: installing registers the update-initramfs trigger and runs it; so does removal" {
	local root=$BATS_TEST_TMPDIR/root
	throwaway_root "$root"
	run -0 cat "$root/var/lib/dpkg/triggers/update-initramfs"
	assert_output "initramfs-tools/noawait"
	# libc6, libkmod2 and libblkid1 are not in this root
	run -0 dpkg --root="$root" --force-depends -i "$DEB"
	assert_output --partial "Processing triggers for initramfs-tools"
	run -0 grep -v '^#' "$root/var/lib/dpkg/info/vfio-bind.triggers"
	assert_output "activate-noawait update-initramfs"
	run -0 cat "$root/var/log/update-initramfs"
	assert_output "triggered update-initramfs"
	run -0 dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${db:Status-Abbrev}' vfio-bind
	assert_output "ii "
	run -0 dpkg --root="$root" --purge vfio-bind
	run -0 cat "$root/var/log/update-initramfs"
	assert_output "$(printf 'triggered update-initramfs\n%.0s' 1 2)"
}

@test "dpkg --root: control: the package without its triggers file runs no update-initramfs" {
	local root=$BATS_TEST_TMPDIR/root un=$BATS_TEST_TMPDIR/unpacked
	throwaway_root "$root"
	dpkg-deb -R "$DEB" "$un"
	rm "$un/DEBIAN/triggers"
	dpkg-deb --root-owner-group -b "$un" "$BATS_TEST_TMPDIR/notrigger.deb" >/dev/null
	run -0 dpkg --root="$root" --force-depends -i "$BATS_TEST_TMPDIR/notrigger.deb"
	refute_output --partial "Processing triggers"
	assert [ ! -e "$root/var/log/update-initramfs" ]
}

@test "dpkg --root: what is installed is exactly dpkg -L, and purging leaves nothing behind" {
	local root=$BATS_TEST_TMPDIR/root before
	throwaway_root "$root"
	before=$(tree "$root")
	dpkg --root="$root" --force-depends -i "$DEB" >/dev/null 2>&1
	# every new path is the package's, and every path of the package is there
	run -0 dpkg --root="$root" -L vfio-bind
	assert_equal \
		"$(comm -13 <(echo "$before") <(tree "$root") | sed 's|^\.||')" \
		"$(echo "$output" | grep -v -x -e '/\.' | LC_ALL=C sort)"
	run -0 bash -c 'dpkg --root="$1" -L vfio-bind | wc -l' - "$root"
	((output > 20)) || fail "dpkg -L lists only $output paths"
	run -0 dpkg --root="$root" --purge vfio-bind
	assert_equal "$(tree "$root")" "$before"
	# control: with the package installed, the trees differ
	dpkg --root="$root" --force-depends -i "$DEB" >/dev/null 2>&1
	run -1 diff <(echo "$before") <(tree "$root")
}

@test "build: a plain make warns and builds; make WERROR=1 stops at the same warning" {
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t"
	cp "$TOP/Makefile" "$TOP/VERSION" "$t/"
	(cd "$TOP" && cp --parents helper/*/*.[ch] "$t/")
	# -Wpadded: a warning the code is not written to avoid, as a newer
	# compiler's new warning would be
	run -0 make -s -C "$t" CFLAGS="-O2 -Wpadded" vfio-bind
	assert_output --partial "warning: padding struct"
	assert [ -x "$t/vfio-bind" ]
	make -s -C "$t" clean
	run -2 make -s -C "$t" WERROR=1 CFLAGS="-O2 -Wpadded" vfio-bind
	assert_output --partial "error: padding struct"
	assert [ ! -e "$t/vfio-bind" ]
}
