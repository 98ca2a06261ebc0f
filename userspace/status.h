/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl status`: what the datapath looks like from the BPF filesystem:
 * where the prefilter is attached (mode, program, link) and the pinned
 * blocklists with their sizes.
 */
#ifndef XNICCTL_STATUS_H
#define XNICCTL_STATUS_H

#include <stdio.h>

void status_usage(FILE *out);
int status_main(int argc, char **argv);

#endif /* XNICCTL_STATUS_H */
