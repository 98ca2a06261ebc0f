/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl save`: the datapath's state as a batch file that sets it up
 * again (`xnicctl batch FILE`), after a reboot empties /sys/fs/bpf.
 */
#ifndef XNICCTL_SAVE_H
#define XNICCTL_SAVE_H

#include <stdio.h>

void save_usage(FILE *out);
int save_main(int argc, char **argv);

#endif /* XNICCTL_SAVE_H */
