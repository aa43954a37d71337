/*
 * tsan_rcu_suppressions.c: the ThreadSanitizer suppressions every test binary carries (a support
 * file, so it is linked into all of them; TSan reads this hook at start-up, other builds ignore it).
 *
 * liburcu is not built with TSan, and the synchronisation behind call_rcu is invisible to it: the
 * callback is handed to the call_rcu worker thread through a lock-free wfcqueue inside
 * liburcu-memb.so, and the worker waits for the grace period with membarrier and futexes.  TSan
 * therefore sees no happens-before edge between a thread that wrote an object and retired it and
 * the worker that frees it after the grace period, and reports each such free as a race.  The
 * reports seen (test_sync_backends, syncmap and ref-ckht) are all of two kinds:
 *   - liburcu's own records: rcu_barrier (map_rcu_drain) callocs a completion record that the
 *     worker frees inside liburcu-memb.so; TSan often cannot restore the allocating stack, so the
 *     report names no function of ours or of liburcu's API, only the module;
 *   - the backends' RCU callbacks (box_free_cb, read_free_*_cb, ckht_block_free_cb, ...) run by
 *     that worker: they read the retired object's header and free it; they also appear as the
 *     earlier access when destroy frees an instance after draining.
 * Both have a liburcu-memb.so frame in one of the two stacks (the worker's thread body), so the
 * suppression names that module: it hides accesses made on liburcu's call_rcu worker or inside
 * liburcu, and no race between two of our own threads (reader/writer races are still reported:
 * rcu_read_lock and friends return before the accesses they protect).  A real premature free
 * would still be caught by the ASan build as a use-after-free.
 *
 * Every liburcu user here reads with the inline read-side lock (_LGPL_SOURCE: syncmap is the one
 * in the TSan set), so liburcu's read-side code is compiled into our objects, instrumented, and
 * its plain accesses to the grace-period word and to a reader's nesting count race by design with
 * the writer's grace period inside liburcu-memb.so (urcu_common_wake_up_gp, the read_lock's
 * update).  The same code sat inside the suppressed module before it was inlined; the two
 * suppressions below name its functions, `_urcu_memb_read_` (read_lock, read_unlock and their
 * helpers) and `urcu_common_wake_up_gp`, so again only accesses inside liburcu are hidden.
 */
const char *__tsan_default_suppressions(void);

const char *__tsan_default_suppressions(void)
{
    return "race:liburcu-memb.so\n"
           "race:_urcu_memb_read_\n"
           "race:urcu_common_wake_up_gp\n";
}
