/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/*
 * A library opened with dlopen() declared in an ELF note, as the ELF dlopen
 * metadata specification (https://systemd.io/ELF_DLOPEN_METADATA/) defines
 * it: a note of type 0x407c0c0a owned by "FDO" in a section .note.dlopen,
 * whose description is a JSON array of objects with "soname" (an array),
 * "feature", "description" and "priority". Image builders (both of ours,
 * hook/vfio-bind-build.sh) and packaging tools read it with
 * `readelf -p .note.dlopen`, since ldd cannot see such a library.
 *
 * The section attribute keeps ASan's redzones away under GCC; clang needs
 * no_sanitize for it.
 */
#define DLOPEN_NOTE_OWNER "FDO"
#define DLOPEN_NOTE_TYPE UINT32_C(0x407c0c0a)
#define DLOPEN_PRIORITY_REQUIRED "required"
#define DLOPEN_PRIORITY_RECOMMENDED "recommended"
#define DLOPEN_PRIORITY_SUGGESTED "suggested"

#if defined(__clang__)
#define DLOPEN_NOTE_NO_SANITIZE __attribute__((no_sanitize("address")))
#else
#define DLOPEN_NOTE_NO_SANITIZE
#endif

#define DLOPEN_NOTE_JSON(feature, description, priority, soname)       \
	"[{\"feature\":\"" feature "\",\"description\":\"" description \
	"\",\"priority\":\"" priority "\",\"soname\":[\"" soname "\"]}]"

/* DLOPEN_NOTE(NAME, FEATURE, DESCRIPTION, PRIORITY, SONAME): one library,
 * all string literals; NAME names the static object that holds the note. */
#define DLOPEN_NOTE(name, feature, description, priority, soname)                   \
	__attribute__((used, section(".note.dlopen"), aligned(4)))                  \
	DLOPEN_NOTE_NO_SANITIZE static const struct {                               \
		uint32_t namesz, descsz, type;                                      \
		char owner[sizeof(DLOPEN_NOTE_OWNER)];                              \
		__attribute__((aligned(4))) char json[sizeof(                       \
			DLOPEN_NOTE_JSON(feature, description, priority, soname))]; \
	} name = {                                                                  \
		.namesz = sizeof(DLOPEN_NOTE_OWNER),                                \
		.descsz = sizeof(                                                   \
			DLOPEN_NOTE_JSON(feature, description, priority, soname)),  \
		.type = DLOPEN_NOTE_TYPE,                                           \
		.owner = DLOPEN_NOTE_OWNER,                                         \
		.json = DLOPEN_NOTE_JSON(feature, description, priority, soname),   \
	}
