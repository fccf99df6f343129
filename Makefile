# vfio-bind: claim PCI functions for vfio-pci in the initramfs, before udev.

# The one place the version is written: --version and the man page take
# it from here; debian/changelog and the spec repeat it, and make
# check-version fails when they differ.
VERSION := $(shell cat VERSION)
ifeq ($(VERSION),)
$(error no version: VERSION is missing or empty)
endif

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
PKGDATADIR ?= $(DATADIR)/vfio-bind
MANDIR ?= $(DATADIR)/man
# Where the initramfs builders look, whatever PREFIX is.
DRACUTMODDIR ?= /usr/lib/dracut/modules.d/50vfio-bind
INITRAMFSTOOLSDIR ?= /usr/share/initramfs-tools

CROSS_COMPILE ?=
CC = $(CROSS_COMPILE)gcc
PKG_CONFIG ?= $(CROSS_COMPILE)pkg-config
INSTALL ?= install

CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wformat=2 -Wshadow -Wvla -Wwrite-strings \
	-Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter
# Warnings stop the build only when asked (CI: make WERROR=1), so that a
# distribution's newer compiler still builds a release.
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libkmod blkid)
BASE_CFLAGS = -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -Ihelper \
	$(PKG_CFLAGS) $(CPPFLAGS)
# The helper sits in every initramfs: no unwind tables (C, no exceptions;
# debuggers use -g's .debug_frame) keeps it small.
ALL_CFLAGS = $(BASE_CFLAGS) -fno-asynchronous-unwind-tables $(CFLAGS)

# STATIC=1 links everything statically; it needs libkmod.a and libblkid.a,
# and Debian 12 ships only the latter.
ifeq ($(STATIC),1)
KMOD_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir libkmod)
ifeq ($(wildcard $(KMOD_LIBDIR)/libkmod.a),)
$(error STATIC=1 needs $(KMOD_LIBDIR)/libkmod.a, which this distribution does not ship (Debian 12 has none); build without STATIC=1)
endif
ALL_LDFLAGS = -static $(LDFLAGS)
ALL_CFLAGS += -DKMOD_LINKED
LDLIBS = $(shell $(PKG_CONFIG) --static --libs libkmod blkid)
else
ALL_LDFLAGS = $(LDFLAGS)
# libkmod is opened with dlopen() when a module must be loaded.
LDLIBS = $(shell $(PKG_CONFIG) --libs blkid) -ldl
endif

# SANITIZE=1 builds the helper and the C test with AddressSanitizer and
# UndefinedBehaviorSanitizer (CI: make clean && make SANITIZE=1 check-unit);
# any report fails the run (tests/run).
ifeq ($(SANITIZE),1)
ifeq ($(STATIC),1)
$(error SANITIZE=1 and STATIC=1 do not go together: the sanitizer runtimes are shared libraries here)
endif
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
ALL_CFLAGS += $(SANITIZE_FLAGS)
ALL_LDFLAGS += $(SANITIZE_FLAGS)
endif

SOURCES = $(wildcard helper/*/*.c)
OBJECTS = $(SOURCES:.c=.o)
LIB_OBJECTS = $(filter-out helper/commands/main.o,$(OBJECTS))

SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@PKGDATADIR@|$(PKGDATADIR)|g' \
	-e 's|@VERSION@|$(VERSION)|g' -e 's|@DRACUTMODDIR@|$(DRACUTMODDIR)|g' \
	-e 's|@INITRAMFSTOOLSDIR@|$(INITRAMFSTOOLSDIR)|g'
# What SUBST fills in; .subst-vars changes when it does, so that the
# generated files follow `make install PREFIX=...` after a plain `make`.
SUBST_VARS = $(SBINDIR) $(PKGDATADIR) $(VERSION) $(DRACUTMODDIR) \
	$(INITRAMFSTOOLSDIR)

BATS ?= bats

# The initramfs-tools hook and boot scripts, as they lie under
# INITRAMFSTOOLSDIR.
INITRAMFSTOOLS_FILES = $(patsubst initramfs-tools/%,%,$(wildcard \
	initramfs-tools/hooks/* initramfs-tools/scripts/*/*))

.PHONY: all deps check check-all check-unit check-package check-boot \
	check-distros demo bench fuzz install install-strip uninstall clean format \
	lint check-version package-deb package-rpm FORCE

all: vfio-bind vfio-bind.8

vfio-bind: $(OBJECTS) .build-flags
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJECTS) $(LDLIBS)

helper/%.o: helper/%.c .build-flags
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Objects built with other flags (SANITIZE=1, CC=clang) are rebuilt, not
# linked with the rest.
.build-flags: FORCE
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@

-include $(OBJECTS:.o=.d)

# --version prints it
helper/commands/main.o: VERSION

.subst-vars: FORCE
	@echo '$(SUBST_VARS)' | cmp -s - $@ || echo '$(SUBST_VARS)' > $@

# The manual page, with the paths this build installs to.
vfio-bind.8: docs/vfio-bind.8.in .subst-vars
	$(SUBST) docs/vfio-bind.8.in > $@

# The C tests of tests/unit: the parsers, the guard's words, loading
# vfio-pci (tests/run runs each).
C_TESTS = tests/unit/cmdline-test tests/unit/need-test tests/unit/modules-test

tests/unit/cmdline-test tests/unit/need-test: %: %.c $(LIB_OBJECTS) .build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# Fuzz targets (tests/fuzz), one per parser: clang's libFuzzer with ASan
# and UBSan, on the helper's sources built apart (tests/fuzz/obj).
# make fuzz FUZZ_SECONDS=N runs each for N seconds (tests/fuzz/run).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = $(BASE_CFLAGS) -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LDLIBS := $(shell $(PKG_CONFIG) --libs blkid) -ldl
FUZZ_TARGETS = $(patsubst %.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_OBJECTS = $(patsubst helper/%.o,tests/fuzz/obj/%.o,$(LIB_OBJECTS))

tests/fuzz/obj/%.o: helper/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

-include $(FUZZ_OBJECTS:.o=.d)
.SECONDARY: $(FUZZ_OBJECTS)

# The differential target links libkmod (dynamically: Debian has no
# libkmod.a).
tests/fuzz/fuzz-kmod-cmdline: FUZZ_LDLIBS += $(shell $(PKG_CONFIG) --libs libkmod)

tests/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_OBJECTS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ \
		$(filter %.c %.o,$^) $(FUZZ_LDLIBS)

fuzz: $(FUZZ_TARGETS)
	./tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# modules.c against a stand-in libkmod.so.2, which it opens with dlopen()
# from this program's rpath. An RPATH, not a RUNPATH: under SANITIZE=1 the
# dlopen() comes from ASan's interceptor, and glibc searches only the
# caller's RUNPATH but the executable's RPATH.
tests/unit/fake-libkmod/libkmod.so.2: tests/unit/fake-libkmod.c .build-flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Wl,-soname,libkmod.so.2 $(ALL_LDFLAGS) \
		-o $@ $<

tests/unit/modules-test: tests/unit/modules-test.c $(LIB_OBJECTS) .build-flags \
		tests/unit/fake-libkmod/libkmod.so.2
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) \
		-Wl,--disable-new-dtags,-rpath,'$$ORIGIN/fake-libkmod' \
		-o $@ $(filter %.c %.o,$^) $(LDLIBS)

# The Debian packages of tests/packages.debian, installed if missing.
deps:
	./tests/deps

# Each ends with the line "N passed, M failed[, K skipped]" (tests/run).
check: deps vfio-bind $(C_TESTS)
	BATS=$(BATS) ./tests/run unit package boot

# make check, and the boots make check leaves out to stay within CI's time
# (tests/boot/distros/boot.bats: VB_ALL=1).
check-all: deps vfio-bind $(C_TESTS)
	VB_ALL=1 BATS=$(BATS) ./tests/run unit package boot

check-unit: deps vfio-bind $(C_TESTS)
	BATS=$(BATS) SANITIZE=$(SANITIZE) ./tests/run unit

# Both packages built from clean copies and linted, then taken apart and
# installed into a throwaway root (tests/package); their boots are in
# tests/boot/package.bats.
check-package: deps
	BATS=$(BATS) ./tests/run package

check-boot: deps vfio-bind
	BATS=$(BATS) ./tests/run boot

# The current Debian releases only (tests/boot/distributions).
check-distros: deps vfio-bind
	BATS=$(BATS) ./tests/run distros

demo: deps vfio-bind
	./tests/boot/demo

# bench/run's floor, built as the helper is (bench/floor.c).
bench/floor: bench/floor.c .build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

bench: deps vfio-bind bench/floor
	./bench/run

# The packages say VERSION too, in the forms their tools read: the last
# entry of debian/changelog and the spec's Version.
check-version:
	@deb=$$(sed -n '1s/^vfio-bind (\([^)]*\)).*/\1/p' debian/changelog); \
	rpm=$$(sed -n 's/^Version:[[:space:]]*//p' rpm/vfio-bind.spec); \
	[ "$$deb" = "$(VERSION)" ] || { echo "debian/changelog says $$deb, VERSION $(VERSION)" >&2; exit 1; }; \
	[ "$$rpm" = "$(VERSION)" ] || { echo "rpm/vfio-bind.spec says $$rpm, VERSION $(VERSION)" >&2; exit 1; }

# Distribution packages of this tree, built from a clean copy of it and
# linted (any lintian or rpmlint error or warning fails), into dist/.
package-deb: check-version
	./tests/package/build deb dist/deb

package-rpm: check-version
	./tests/package/build rpm dist/rpm

lint: check-version
	shellcheck -s bash dracut/module-setup.sh
	shellcheck -s sh $(filter-out dracut/module-setup.sh,$(wildcard dracut/*.sh)) \
		hook/*.sh initramfs-tools/hooks/* \
		initramfs-tools/scripts/*/* bench/guide-pattern.sh tests/deps
	shellcheck bench/run bench/tree.bash .ci/run tests/package/build tests/fuzz/run
	shellcheck -x bench/boot
	shellcheck -x tests/run tests/boot/lib.sh tests/boot/build tests/boot/demo \
		tests/boot/distro tests/boot/rootfs-init tests/boot/*.bats \
		tests/boot/distros/*.bats tests/package/*.bats tests/clean-copy \
		tests/unit/bench-report.bats
	pyflakes3 bench/report.py bench/boottime.py bench/stats.py
	clang-format --dry-run --Werror helper/*/*.[ch] tests/unit/*.c tests/fuzz/*.[ch] bench/*.c

format:
	clang-format -i helper/*/*.[ch] tests/unit/*.c tests/fuzz/*.[ch] bench/*.c

install: vfio-bind vfio-bind.8
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(DRACUTMODDIR) \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/local-premount \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/nfs-bottom \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-bottom
	$(INSTALL) -m 0755 $(INSTALL_PROGRAM_FLAGS) vfio-bind \
		$(DESTDIR)$(SBINDIR)/vfio-bind
	$(INSTALL) -m 0644 vfio-bind.8 $(DESTDIR)$(MANDIR)/man8/vfio-bind.8
	for f in hook/*; do \
		$(SUBST) $$f > $(DESTDIR)$(PKGDATADIR)/$${f#hook/} && \
		chmod 0644 $(DESTDIR)$(PKGDATADIR)/$${f#hook/} || exit 1; \
	done
	for f in dracut/*; do \
		case $$f in *.service) mode=0644 ;; *) mode=0755 ;; esac; \
		$(SUBST) $$f > $(DESTDIR)$(DRACUTMODDIR)/$${f#dracut/} && \
		chmod $$mode $(DESTDIR)$(DRACUTMODDIR)/$${f#dracut/} || exit 1; \
	done
	for f in $(INITRAMFSTOOLS_FILES); do \
		$(SUBST) initramfs-tools/$$f > $(DESTDIR)$(INITRAMFSTOOLSDIR)/$$f && \
		chmod 0755 $(DESTDIR)$(INITRAMFSTOOLSDIR)/$$f || exit 1; \
	done

# As the GNU coding standards describe it: install, with the program stripped.
install-strip:
	$(MAKE) INSTALL_PROGRAM_FLAGS=-s install

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vfio-bind $(DESTDIR)$(MANDIR)/man8/vfio-bind.8 \
		$(addprefix $(DESTDIR)$(INITRAMFSTOOLSDIR)/,$(INITRAMFSTOOLS_FILES))
	rm -rf $(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(DRACUTMODDIR)

clean:
	rm -f vfio-bind vfio-bind.8 .subst-vars .build-flags helper/*/*.o helper/*/*.d \
		$(C_TESTS) bench/floor $(FUZZ_TARGETS)
	rm -rf tests/fuzz/obj tests/unit/fake-libkmod
