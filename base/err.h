/*
 * err.h: the one length of every error buffer in mapbench.
 *
 * Every function that can fail on bad input or on the outside world takes `char *err` and, when it
 * fails, writes one line into it: what went wrong and what it concerned, never a stack of
 * messages.  Every such buffer, in every module, is ERR_LEN bytes, so an error can be passed up
 * from a backend through the runner to the command line without being cut or copied.
 */
#ifndef MAPBENCH_ERR_H
#define MAPBENCH_ERR_H

#define ERR_LEN 256

#endif
