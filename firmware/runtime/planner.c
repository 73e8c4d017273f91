/* Arena planning: greedy by size, like TFLM's GreedyMemoryPlanner. Activation tensors are
 * placed largest first, each at the lowest 16-byte aligned offset that does not collide with
 * an already placed tensor whose lifetime (first to last op touching it, inclusive)
 * overlaps. Scratch lists for the planner are borrowed from the free middle of the arena. */
#include "internal.h"

typedef struct {
    int32_t tensor;
    uint32_t size;
    uint32_t off;
} plan_item;

static uint32_t align_up(uint32_t v) { return (v + (CFUB_ALIGN - 1)) & ~(CFUB_ALIGN - 1); }

/* activations in use; zero-size tensors take no room (TFLM never plans them) */
static bool planned_tensor(const cfub_tensor *t) {
    return !t->is_const && !t->is_variable && t->first_use >= 0 && t->bytes > 0;
}

static bool overlaps_in_time(const cfub_tensor *a, const cfub_tensor *b) {
    return !(a->last_use < b->first_use || b->last_use < a->first_use);
}

int cfub_plan(cfub_interp *ip) {
    int32_t count = 0;
    for (int32_t i = 0; i < ip->n_tensors; i++)
        if (planned_tensor(&ip->tensors[i])) count++;
    /* scratch: the items (by size) and the placed list (by offset), just below the tail */
    const size_t need = (size_t)count * 2 * sizeof(plan_item);
    const size_t base = ip->planned; /* after the subgraphs planned before this one */
    if (need > ip->tail || ip->tail - need < base) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small to plan activations");
    plan_item *items = (plan_item *)(void *)(ip->arena + ((ip->tail - need) & ~(size_t)7));
    plan_item *placed = items + count;

    int32_t k = 0;
    for (int32_t i = 0; i < ip->n_tensors; i++) {
        const cfub_tensor *t = &ip->tensors[i];
        if (!planned_tensor(t)) continue;
        if (t->bytes > 0x7fffff00u) return cfub_fail(ip, CFUB_ERR_ARENA, "activation tensor too large");
        /* insertion keeps the list sorted by size, largest first; ties keep tensor order */
        plan_item it = {i, align_up(t->bytes), 0};
        int32_t j = k++;
        while (j > 0 && items[j - 1].size < it.size) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = it;
    }

    uint64_t high = 0;
    int32_t n_placed = 0;
    for (int32_t i = 0; i < count; i++) {
        plan_item *it = &items[i];
        const cfub_tensor *t = &ip->tensors[it->tensor];
        uint64_t off = 0;
        for (int32_t j = 0; j < n_placed; j++) {
            const plan_item *p = &placed[j];
            if (!overlaps_in_time(t, &ip->tensors[p->tensor])) continue;
            if (off + it->size <= p->off) break; /* fits in the gap before p */
            if ((uint64_t)p->off + p->size > off) off = (uint64_t)p->off + p->size;
        }
        if (off + it->size > 0x7fffffffu) return cfub_fail(ip, CFUB_ERR_ARENA, "activations too large");
        it->off = (uint32_t)off;
        /* insert into placed, ordered by offset */
        int32_t j = n_placed++;
        while (j > 0 && placed[j - 1].off > it->off) {
            placed[j] = placed[j - 1];
            j--;
        }
        placed[j] = *it;
        if (off + it->size > high) high = off + it->size;
    }
    if (high > ip->tail - base) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the activations");
    for (int32_t i = 0; i < count; i++) ip->tensors[items[i].tensor].arena_off = (uint32_t)(base + items[i].off);
    ip->planned = base + (size_t)high;
    for (int32_t i = 0; i < ip->n_tensors; i++) {
        cfub_tensor *t = &ip->tensors[i];
        if (planned_tensor(t)) t->data = ip->arena + t->arena_off;
        else if (!t->is_const && !t->data) t->data = ip->arena; /* zero-size or unused: never touched */
    }
    return CFUB_OK;
}
