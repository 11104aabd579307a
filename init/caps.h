#ifndef CLBOX_CAPS_H
#define CLBOX_CAPS_H

/* Drops every capability from every set (bounding and ambient included)
 * and locks the securebits so none can come back through exec, even for
 * uid 0.  Dies if any step fails: the command never runs with a capability. */
void caps_drop_all(void);

#endif
