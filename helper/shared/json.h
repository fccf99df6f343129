/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

/* A JSON string, or null for NULL and "". */
void json_string(FILE *out, const char *s);
