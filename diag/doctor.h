/* `clbox doctor`: inspects this machine and says, line by line, what works
 * and what to fix before clbox can run here. */
#ifndef CLBOX_DOCTOR_H
#define CLBOX_DOCTOR_H

#include <stdio.h>

/* Prints one line per check ("  ok    WHAT: detail", "  FIX   WHAT: what
 * is wrong — what to do", "  note  WHAT: detail") and a summary line.
 * Returns 0 if nothing needs fixing, 1 otherwise.  Every check that starts
 * a process waits for it at most a few seconds. */
int doctor_run(FILE *out);

#endif
