/*
 * method.h: the measurement-method version, stored with every run (runs.method_version).  It names
 * what the stored figures mean: how a window is timed, which operations and keys a worker's stream
 * holds, how latency is sampled, in what order the windows of a run are scheduled.  Two runs of
 * different methods may differ because the method changed, not the code under test, so
 * `mapbench compare` refuses to set one against the other unless asked (--across-methods), and
 * the report's history breaks its line where the version changes.
 *
 * Bump it, here and only here, in the same change as anything that alters what a stored figure
 * means; say in the list below what changed.  A change that only adds a figure, or makes the same
 * figure faster to produce, keeps the version.
 *
 *   1  every run before the version was stored (older databases migrate to 1): fixed-length
 *      streams replayed cyclically, the first operation of a batch timed, windows in case order.
 *   2  streams whose keys are as distinct as independent draws, latency sampled at a random
 *      offset with the timer's cost subtracted, the windows of a sweep point's backends in rounds,
 *      only operations that finished inside the window counted (batches shortened for slow
 *      operations), read-only batches through a backend's get_many where it has one.
 *   3  ops_per_s and ns_per_op computed on the window less the clock's share of it (two reads per
 *      timed operation, at the calibrated cost; stored as timer_ns_per_op), so that they hold no
 *      timer cost.
 *   4  the map is sized for the whole prefill before the workers fill it (the backend's reserve,
 *      called by the creator thread), so a backend whose layout depended on how many put_many
 *      calls filled it (rcu: a second call copied the nodes the first stored) measures the same
 *      map at every thread count; rcu's gets at 2 threads and more ran up to 13% slower before.
 */
#ifndef MAPBENCH_METHOD_H
#define MAPBENCH_METHOD_H

#define METHOD_VERSION 4

#endif
