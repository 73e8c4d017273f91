/* Bit-exact C model of every instruction of the mac8 CFU.
 *
 * Standalone (only <stdint.h>). The firmware self-test compares the hardware with it, and on
 * a host (not __riscv) the mac8 kernels run on it instead of the CFU, so the host build of
 * the runtime checks them against TFLM. Keep it in step with design.py and
 * tests/mac8_model.py: the tests check all three agree. README.md documents the instructions.
 */
#ifndef mac8_emu_h_
#define mac8_emu_h_

#include <stdint.h>

/* The design's parameters (make_cfu(lanes, depth)): the firmware build passes them as
 * -DMAC8_LANES=... -DMAC8_DEPTH=... (design.py's kernel_defines); the defaults are the
 * default design. The ID instruction reports both; prepare checks they agree. */
#if defined(MAC8_LANES) || defined(MAC8_DEPTH)
#define MAC8_PARAMETERISED 1 /* built for parameters given on the command line */
#endif
#ifndef MAC8_LANES
#define MAC8_LANES 8
#endif
#ifndef MAC8_DEPTH
#define MAC8_DEPTH 512 /* words per lane buffer */
#endif
#if MAC8_LANES != 4 && MAC8_LANES != 8 && MAC8_LANES != 16
#error "MAC8_LANES must be 4, 8 or 16"
#endif
#if MAC8_DEPTH == 64
#define MAC8_ADDR_BITS 6
#elif MAC8_DEPTH == 128
#define MAC8_ADDR_BITS 7
#elif MAC8_DEPTH == 256
#define MAC8_ADDR_BITS 8
#elif MAC8_DEPTH == 512
#define MAC8_ADDR_BITS 9
#elif MAC8_DEPTH == 1024
#define MAC8_ADDR_BITS 10
#elif MAC8_DEPTH == 2048
#define MAC8_ADDR_BITS 11
#elif MAC8_DEPTH == 4096
#define MAC8_ADDR_BITS 12
#else
#error "MAC8_DEPTH must be a power of two from 64 to 4096"
#endif
#define MAC8_CHANNELS 512 /* per-channel parameter entries, MAC8_CHANNELS / MAC8_LANES blocks */
#define MAC8_BLOCKS (MAC8_CHANNELS / MAC8_LANES)
#define MAC8_PAIRS (MAC8_LANES / 2) /* FC lane pairs */
/* MAC DW takes the 8 bytes of {rs2, rs1}: lanes past the eighth take none */
#define MAC8_DW_LANES (MAC8_LANES < 8 ? MAC8_LANES : 8)
/* READ rs1: word of the slot in bits [MAC8_READ_WORD_BITS-1:0], the slot in the bit above;
 * MAC8_SLOT_SEL is that bit. Words past the last lane read 0 (word 1 with 4 lanes). */
#define MAC8_READ_WORDS (MAC8_LANES / 4)
#define MAC8_READ_WORD_BITS (MAC8_LANES == 16 ? 2 : 1)
#define MAC8_SLOT_SEL (1u << MAC8_READ_WORD_BITS)
#define MAC8_INFO (0x6D380000u | ((uint32_t)MAC8_LANES << 8) | MAC8_ADDR_BITS)

/* funct3 */
enum mac8_funct3 {
    MAC8_MAC = 0,
    MAC8_SETPTR = 1,
    MAC8_WLOAD = 2,
    MAC8_READ = 3,
    MAC8_SETPARAM = 4,
    MAC8_CONFIG = 5,
    MAC8_CLEAR = 6,
    MAC8_ID = 7,
};
/* funct7 of MAC: mode in bits [1:0], plus MAC8_COMMIT */
enum { MAC8_CONV = 0, MAC8_DW = 1, MAC8_FC = 2, MAC8_NOMAC = 3, MAC8_COMMIT = 4 };
/* funct7 of WLOAD */
enum { MAC8_W_STREAM = 0, MAC8_W_SETUP = 1, MAC8_W_DIRECT = 2, MAC8_W_FETCH = 3 };
/* funct7 of SETPARAM */
enum { MAC8_P_BIAS = 0, MAC8_P_MULTIPLIER = 1, MAC8_P_SHIFT = 2 };
/* funct7 of CONFIG */
enum { MAC8_C_OFFSETS = 0, MAC8_C_CLAMP = 1 };

typedef struct {
    /* memories: kept across reset */
    uint32_t buffers[MAC8_LANES][MAC8_DEPTH];
    int32_t bias[MAC8_CHANNELS], multiplier[MAC8_CHANNELS], shift[MAC8_CHANNELS];
    /* registers */
    uint32_t acc[MAC8_LANES]; /* unsigned: wraps like the 32-bit registers */
    int8_t outputs[2][MAC8_LANES];
    unsigned write_slot, rptr, block, pair;
    unsigned wbase, wword, wcount, wlast, wlane;
    int32_t input_offset, output_offset, act_min, act_max;
} mac8_emu_state;

/* Registers only; memories keep their contents, as in the hardware. */
static inline void mac8_emu_reset(mac8_emu_state *s) {
    for (unsigned l = 0; l < MAC8_LANES; l++) {
        s->acc[l] = 0;
        s->outputs[0][l] = s->outputs[1][l] = 0;
    }
    s->write_slot = s->rptr = s->block = s->pair = 0;
    s->wbase = s->wword = s->wcount = s->wlast = s->wlane = 0;
    s->input_offset = s->output_offset = 0;
    s->act_min = -128;
    s->act_max = 127;
}

static inline int32_t mac8_emu_sext(uint32_t value, unsigned bits) {
    const uint32_t m = 1u << (bits - 1);
    value &= (bits == 32) ? 0xFFFFFFFFu : ((1u << bits) - 1u);
    return (int32_t)((value ^ m) - m);
}

static inline int32_t mac8_emu_byte(uint32_t word, unsigned i) {
    return (int32_t)(int8_t)(uint8_t)(word >> (8 * i));
}

/* ---- TFLM requantization (gemmlowp, two roundings), int32 wrap-around where C wraps ---- */
static inline int32_t mac8_emu_srdhm(int32_t a, int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* truncates toward zero */
}

static inline int32_t mac8_emu_rdbpot(int32_t x, int exponent) {
    const int32_t mask = (int32_t)((UINT32_C(1) << exponent) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int8_t mac8_emu_requantize(const mac8_emu_state *s, uint32_t acc, unsigned ch) {
    const int32_t shift = s->shift[ch];
    const int left = shift > 0 ? shift : 0, right = shift < 0 ? -shift : 0;
    const uint32_t x = (acc + (uint32_t)s->bias[ch]) << left;
    int32_t v = mac8_emu_rdbpot(mac8_emu_srdhm((int32_t)x, s->multiplier[ch]), right);
    v = (int32_t)((uint32_t)v + (uint32_t)s->output_offset);
    if (v < s->act_min) v = s->act_min;
    if (v > s->act_max) v = s->act_max;
    return (int8_t)v;
}

/* ---- instructions ---------------------------------------------------------------------- */
static inline void mac8_emu_mac(mac8_emu_state *s, unsigned funct7, uint32_t in0, uint32_t in1) {
    const unsigned mode = funct7 & 3;
    const int32_t off = s->input_offset;
    if (mode != MAC8_NOMAC) {
        for (unsigned l = 0; l < MAC8_LANES; l++) {
            const uint32_t w = s->buffers[l][s->rptr];
            int32_t sum = 0;
            if (mode == MAC8_CONV) {
                for (unsigned b = 0; b < 4; b++)
                    sum += (mac8_emu_byte(in0, b) + off) * mac8_emu_byte(w, b);
            } else if (mode == MAC8_DW) {
                if (l < MAC8_DW_LANES) {
                    const uint32_t word = l < 4 ? in0 : in1;
                    sum = (mac8_emu_byte(word, l & 3) + off) * mac8_emu_byte(w, 0);
                }
            } else if (l / 2 == s->pair) { /* FC */
                const uint32_t x = s->buffers[0][s->rptr], weights = (l & 1) ? in1 : in0;
                for (unsigned b = 0; b < 4; b++)
                    sum += (mac8_emu_byte(x, b) + off) * mac8_emu_byte(weights, b);
            }
            s->acc[l] += (uint32_t)sum;
        }
        s->rptr = (s->rptr + 1) % MAC8_DEPTH;
    }
    if (funct7 & MAC8_COMMIT) {
        const unsigned slot = s->write_slot;
        s->write_slot ^= 1;
        for (unsigned l = 0; l < MAC8_LANES; l++) {
            s->outputs[slot][l] = mac8_emu_requantize(s, s->acc[l], s->block * MAC8_LANES + l);
            s->acc[l] = 0;
        }
    }
}

static inline void mac8_emu_wload(mac8_emu_state *s, unsigned funct7, uint32_t in0, uint32_t in1) {
    switch (funct7 & 3) {
    case MAC8_W_STREAM:
        s->buffers[s->wlane][s->wword] = in0;
        if (s->wcount == s->wlast) {
            s->wcount = 0;
            s->wword = s->wbase;
            s->wlane = (s->wlane + 1) % MAC8_LANES;
        } else {
            s->wcount++;
            s->wword = (s->wword + 1) % MAC8_DEPTH;
        }
        break;
    case MAC8_W_SETUP:
        s->wbase = s->wword = in0 % MAC8_DEPTH;
        s->wlast = (in1 - 1u) % MAC8_DEPTH;
        s->wcount = s->wlane = 0;
        break;
    case MAC8_W_DIRECT:
        s->buffers[(in1 >> MAC8_ADDR_BITS) % MAC8_LANES][in1 % MAC8_DEPTH] = in0;
        break;
    case MAC8_W_FETCH:
        /* in1 words from byte address in0 (low bits ignored). On the SoC's CPU (the
         * self-test) that is memory; on a host, where an address does not fit 32 bits, it is
         * the cocotb testbench's memory (cfu_bench/testing/cocotb_memory.py), so the
         * emulation is checked against the golden model. Host kernels stream instead. */
        for (uint32_t i = 0; i < in1; i++) {
#if UINTPTR_MAX == 0xFFFFFFFFu
            const uint32_t word = ((const volatile uint32_t *)(uintptr_t)(in0 & ~3u))[i];
#else
            uint32_t word = (((in0 >> 2) + i) & 0x3FFFFFFFu) * 0x9E3779B1u + 0x7F4A7C15u;
            word ^= word >> 15;
            word *= 0x2C1B3C6Du;
#endif
            mac8_emu_wload(s, MAC8_W_STREAM, word, 0);
        }
        break;
    default:
        break;
    }
}

static inline uint32_t mac8_emu_op(mac8_emu_state *s, unsigned funct3, unsigned funct7,
                                   uint32_t in0, uint32_t in1) {
    switch (funct3) {
    case MAC8_MAC:
        mac8_emu_mac(s, funct7, in0, in1);
        return 0;
    case MAC8_SETPTR:
        s->rptr = in0 % MAC8_DEPTH;
        s->block = in1 & (MAC8_BLOCKS - 1);
        s->pair = (in1 >> 8) & (MAC8_PAIRS - 1);
        return 0;
    case MAC8_WLOAD:
        mac8_emu_wload(s, funct7, in0, in1);
        return 0;
    case MAC8_READ: {
        const unsigned w = in0 & (MAC8_SLOT_SEL - 1);
        if (w >= MAC8_READ_WORDS) return 0;
        const int8_t *lanes = &s->outputs[(in0 >> MAC8_READ_WORD_BITS) & 1][4 * w];
        uint32_t word = 0;
        for (unsigned i = 0; i < 4; i++)
            word |= (uint32_t)(uint8_t)lanes[i] << (8 * i);
        return word;
    }
    case MAC8_SETPARAM: {
        const unsigned ch = in1 % MAC8_CHANNELS;
        const int32_t v = (int32_t)in0;
        switch (funct7 & 3) {
        case MAC8_P_BIAS: s->bias[ch] = v; break;
        case MAC8_P_MULTIPLIER: s->multiplier[ch] = v; break;
        case MAC8_P_SHIFT: s->shift[ch] = v < -31 ? -31 : (v > 31 ? 31 : v); break;
        default: break;
        }
        return 0;
    }
    case MAC8_CONFIG:
        if ((funct7 & 1) == MAC8_C_OFFSETS) {
            s->input_offset = mac8_emu_sext(in0, 9);
            s->output_offset = mac8_emu_sext(in1, 16);
        } else {
            s->act_min = mac8_emu_sext(in0, 8);
            s->act_max = mac8_emu_sext(in1, 8);
        }
        return 0;
    case MAC8_CLEAR:
        for (unsigned l = 0; l < MAC8_LANES; l++)
            s->acc[l] = 0;
        s->write_slot = 0;
        return 0;
    default: /* MAC8_ID */
        return MAC8_INFO;
    }
}

#endif
