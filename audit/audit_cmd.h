#ifndef CLBOX_AUDIT_CMD_H
#define CLBOX_AUDIT_CMD_H

/* clbox audit [--since DAYS] [--config-dir DIR] [DIR]. */
int audit_command(int argc, char **argv);

#endif
