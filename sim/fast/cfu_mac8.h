/* mac8 in the fast simulation: its bit-exact C emulation (cfu/mac8/kernels/mac8_emu.h) plus
 * the latencies of cfu/mac8/README.md's "Cycles" table, and W_FETCH served by the memory
 * model (the CFU's bus master reads main RAM word by word, one request outstanding). */
#include "mac8_emu.h"

#ifndef MAC8_COMMIT_SPACING
#define MAC8_COMMIT_SPACING 13  /* a COMMIT is accepted >= 13 cycles after the previous one */
#endif
#ifndef MAC8_REQUANT_DONE
#define MAC8_REQUANT_DONE 18    /* a slot is readable 18 cycles after its COMMIT */
#endif
#ifndef MAC8_MAC_IN_FLIGHT
#define MAC8_MAC_IN_FLIGHT 2    /* SETPARAM/CONFIG/CLEAR wait for MACs in flight */
#endif
#ifndef MAC8_FETCH_WORD
#define MAC8_FETCH_WORD 2       /* ideal RAM: a word every 2 cycles (ack the cycle after) */
#endif
#ifndef MAC8_FETCH_L2_WORD
#define MAC8_FETCH_L2_WORD L2_HIT_WORD /* ddr3: a word the L2 holds */
#endif
#ifndef MAC8_FETCH_OVERHEAD
#define MAC8_FETCH_OVERHEAD 1
#endif

static mac8_emu_state cfu_state;
static uint64_t mac8_last_commit, mac8_last_mac, mac8_slot_done[2], mac8_busy_until;

static void cfu_init(void) { mac8_emu_reset(&cfu_state); }

static inline void mac8_wait_until(uint64_t t) {
    if (t > now) now = t;
}

static uint32_t cfu_execute(unsigned f3, unsigned f7, uint32_t a, uint32_t b) {
    mac8_wait_until(mac8_busy_until);
    switch (f3) {
    case MAC8_MAC:
        if (f7 & MAC8_COMMIT) {
            if (mac8_last_commit) mac8_wait_until(mac8_last_commit + MAC8_COMMIT_SPACING);
            mac8_slot_done[cfu_state.write_slot] = now + MAC8_REQUANT_DONE;
            mac8_last_commit = now;
        }
        if ((f7 & 3) != MAC8_NOMAC) mac8_last_mac = now;
        break;
    case MAC8_READ:
        mac8_wait_until(mac8_slot_done[(a >> MAC8_READ_WORD_BITS) & 1]);
        break;
    case MAC8_SETPARAM:
    case MAC8_CONFIG:
    case MAC8_CLEAR:
        mac8_wait_until(mac8_last_mac + MAC8_MAC_IN_FLIGHT);
        if (mac8_last_commit) mac8_wait_until(mac8_last_commit + MAC8_REQUANT_DONE);
        break;
    case MAC8_WLOAD:
        if ((f7 & 3) == MAC8_W_FETCH) {
            bus_wait();
            now += MAC8_FETCH_OVERHEAD;
            for (uint32_t k = 0; k < b; k++) {
                uint32_t addr = (a & ~3u) + 4 * k;
                now += memory_ddr3 ? MAC8_FETCH_L2_WORD + l2_access(addr, 0) : MAC8_FETCH_WORD;
                mac8_emu_wload(&cfu_state, MAC8_W_STREAM, fs_read_word(addr), 0);
            }
            return 0;
        }
        break;
    default:
        break;
    }
    return mac8_emu_op(&cfu_state, f3, f7, a, b);
}
