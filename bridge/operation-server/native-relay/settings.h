// The operation server's settings, read as options.ts reads them, or left to Node where this cannot be sure.
#pragma once

/** 1: "off" (any case), 0: on, -1: left to Node (not ASCII). */
int is_off(const char *name);
/** Seconds from a plain decimal, the fallback when unset or empty, -1 for what Number() may read otherwise. */
double seconds_setting(const char *name, double fallback);
