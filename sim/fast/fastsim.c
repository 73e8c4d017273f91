/* cfu-bench's fast simulation of the SoC: an RV32IM + Zicsr instruction-set simulator with a
 * cycle model of VexRiscv full+cfu as LiteX builds it, the SoC's memory map (ROM, SRAM, main
 * RAM, the CSR bus with UART and sim_finish) and the CFU's bit-exact C emulation with its
 * latency (sim/fast/cfu_<design>.h, chosen at build time: one binary per design and
 * parameters). UART bytes go to stdout unchanged, so the RTL run's transcript parser reads them.
 *
 * The cycle model is an issue-time scoreboard: each instruction enters execute one cycle
 * after the previous one unless a source register is not ready yet (load, multiply, shift and
 * CFU results come late, see timing.h), a branch was mispredicted, a cache missed, the divider
 * iterates or the CFU is busy. mcycle reads that clock. The rules and their constants live in
 * timing.h, each pinned by a micro-benchmark against the RTL (tests/fastsim).
 *
 * usage: fastsim --load OFFSET FILE [--load ...] --csr NAME=ADDR ... [--memory ideal|ddr3]
 *                [--cycle-limit N] [--start-cycles N] [--uart-tcp PORT] [--stats]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROM_BASE 0x00000000u
#define ROM_SIZE (64u * 1024u)
#define SRAM_BASE 0x10000000u
#define SRAM_SIZE (8u * 1024u)
#define MAIN_BASE 0x40000000u
#define MAIN_SIZE (16u * 1024u * 1024u) /* the firmware uses the first 8 MiB */
#define CSR_BASE 0xF0000000u

static uint8_t *main_ram, rom[ROM_SIZE], sram[SRAM_SIZE];

/* ---- the clock and the memory model ------------------------------------------------------ */
static uint64_t now;         /* the cycle the current instruction enters execute */
static int memory_ddr3;

#include "timing.h"
#include "memory_model.h"

static inline uint8_t *ram_ptr(uint32_t a, uint32_t n) {
    if (a - MAIN_BASE <= MAIN_SIZE - n) return main_ram + (a - MAIN_BASE);
    if (a - SRAM_BASE <= SRAM_SIZE - n) return sram + (a - SRAM_BASE);
    if (a - ROM_BASE <= ROM_SIZE - n) return rom + (a - ROM_BASE);
    return NULL;
}

/* For the CFU's memory port (and W_FETCH): a word of memory, 0 outside it. */
static uint32_t fs_read_word(uint32_t a) {
    uint8_t *p = ram_ptr(a & ~3u, 4);
    uint32_t v = 0;
    if (p) memcpy(&v, p, 4);
    return v;
}

#include CFU_ADAPTER

/* ---- CSR bus: UART and sim_finish; everything else reads 0 and ignores writes ------------ */
static uint32_t csr_uart_rxtx = 1, csr_uart_txfull = 1, csr_uart_rxempty = 1, csr_uart_txempty = 1,
                csr_uart_ev_pending = 1,
                csr_sim_finish = 1; /* 1: not present (CSR addresses are word aligned) */
#define UART_EV_RX 2u
static int finished;
static char outbuf[1 << 16];
static size_t outlen;

/* The UART on TCP (--uart-tcp PORT, as the RTL harness's): one client; bytes the SoC sends
 * before it connects are dropped, as litex_sim's serial2tcp does. */
static int listen_fd = -1, client_fd = -1;
static unsigned char rxbuf[1 << 16];
static size_t rx_head, rx_len;

static void tcp_listen(int port) {
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)port);
    if (bind(listen_fd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(listen_fd, 1) != 0) {
        fprintf(stderr, "fastsim: cannot listen on TCP port %d: %s\n", port, strerror(errno));
        exit(1);
    }
}

static void out_flush(void) {
    if (listen_fd >= 0) {
        size_t off = 0;
        while (client_fd >= 0 && off < outlen) {
            ssize_t n = send(client_fd, outbuf + off, outlen - off, MSG_NOSIGNAL);
            if (n > 0) off += (size_t)n;
            else if (n < 0 && errno == EINTR) continue;
            else { close(client_fd); client_fd = -1; }
        }
    } else {
        fwrite(outbuf, 1, outlen, stdout);
        fflush(stdout);
    }
    outlen = 0;
}

/* The firmware found the RX FIFO empty: wait for the host instead of spinning through
 * simulated time (a poll loop costs the same cycles either way; the host's own delays are
 * not the SoC's). Accepts the client first. */
static void uart_wait_for_host(void) {
    if (listen_fd < 0 || rx_len) return;
    out_flush();
    if (client_fd < 0) {
        client_fd = accept(listen_fd, NULL, NULL);
        int one = 1;
        setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ssize_t n = recv(client_fd, rxbuf, sizeof rxbuf, 0);
    if (n > 0) {
        rx_head = 0;
        rx_len = (size_t)n;
    } else if (n == 0) { /* the host went away: nothing more will come */
        finished = 1;
    }
}

static uint32_t csr_read(uint32_t a) {
    if (a == csr_uart_txfull) return 0;   /* the harness takes a byte every cycle */
    if (a == csr_uart_rxempty) {
        uart_wait_for_host();
        return rx_len == 0;
    }
    if (a == csr_uart_rxtx) return rx_len ? rxbuf[rx_head] : 0;
    if (a == csr_uart_txempty) return 1;
    return 0;
}

static void csr_write(uint32_t a, uint32_t v) {
    if (a == csr_uart_rxtx) {
        if (listen_fd >= 0 && client_fd < 0) return;
        outbuf[outlen++] = (char)v;
        if (outlen == sizeof outbuf || (v == '\n' && listen_fd < 0)) out_flush();
    } else if (a == csr_uart_ev_pending && (v & UART_EV_RX) && rx_len) {
        rx_head++; /* acknowledging the RX event pops the FIFO */
        rx_len--;
    } else if (a == csr_sim_finish && (v & 1)) {
        finished = 1;
    }
}

/* ---- CPU state ------------------------------------------------------------------------- */
static uint32_t x[32], pc;
static uint64_t ready[32];   /* cycle from which a register's value can be bypassed */
static uint64_t instret, cycle_limit = UINT64_MAX, start_cycles;
static uint32_t csr[4096];
static int cfu_enabled_bit(void) { return (csr[0xBC0] >> 31) & 1; }

enum { CSR_MSTATUS = 0x300, CSR_MTVEC = 0x305, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342,
       CSR_MTVAL = 0x343, CSR_MCYCLE = 0xB00, CSR_MCYCLEH = 0xB80, CSR_MINSTRET = 0xB02,
       CSR_MINSTRETH = 0xB82, CSR_CYCLE = 0xC00, CSR_CYCLEH = 0xC80 };

static uint64_t mcycle_now(void) { return now + start_cycles; }

static uint32_t csr_get(unsigned n) {
    switch (n) {
    case CSR_MCYCLE: case CSR_CYCLE: return (uint32_t)mcycle_now();
    case CSR_MCYCLEH: case CSR_CYCLEH: return (uint32_t)(mcycle_now() >> 32);
    case CSR_MINSTRET: return (uint32_t)instret;
    case CSR_MINSTRETH: return (uint32_t)(instret >> 32);
    default: return csr[n];
    }
}

static void trap(uint32_t cause, uint32_t tval) {
    csr[CSR_MEPC] = pc;
    csr[CSR_MCAUSE] = cause;
    csr[CSR_MTVAL] = tval;
    pc = csr[CSR_MTVEC] & ~3u;
    now += T_TRAP;
}

/* ---- loads and stores ------------------------------------------------------------------ */
static int load(uint32_t a, unsigned size, uint32_t *v) {
    uint8_t *p = ram_ptr(a, size);
    if (p) {
        uint32_t w = 0;
        memcpy(&w, p, size);
        *v = w;
        dcache_load(a);
        return 1;
    }
    if (a >= CSR_BASE) {
        *v = csr_read(a);
        now += T_IO_LOAD;
        return 1;
    }
    return 0;
}

static int store(uint32_t a, unsigned size, uint32_t v) {
    uint8_t *p = ram_ptr(a, size);
    if (p) {
        memcpy(p, &v, size);
        dcache_store(a);
        return 1;
    }
    if (a >= CSR_BASE) {
        csr_write(a, v);
        now += T_IO_STORE;
        return 1;
    }
    return 0;
}

/* ---- the interpreter ------------------------------------------------------------------- */
static inline int32_t imm_i(uint32_t i) { return (int32_t)i >> 20; }
static inline int32_t imm_s(uint32_t i) { return ((int32_t)i >> 25 << 5) | ((i >> 7) & 31); }
static inline int32_t imm_b(uint32_t i) {
    return ((int32_t)i >> 31 << 12) | ((i << 4) & 0x800) | ((i >> 20) & 0x7E0) | ((i >> 7) & 0x1E);
}
static inline int32_t imm_j(uint32_t i) {
    return ((int32_t)i >> 31 << 20) | (i & 0xFF000) | ((i >> 9) & 0x800) | ((i >> 20) & 0x7FE);
}

/* Issue: the instruction enters execute once its sources are ready. */
static inline void wait_for(unsigned rs) {
    if (ready[rs] > now) now = ready[rs];
}

static inline void set_rd(unsigned rd, uint32_t v, unsigned late) {
    if (rd) {
        x[rd] = v;
        ready[rd] = now + 1 + late;
    }
}

static int run(void) {
    int redirected = 0; /* the instruction before was a jump or a taken branch */
    for (;;) {
        if (finished) return 0;
        if (now >= cycle_limit) {
            char msg[80];
            int n = snprintf(msg, sizeof msg, "\nCFUB WATCHDOG cycle limit %" PRIu64 " reached\n",
                             cycle_limit);
            for (int i = 0; i < n; i++) csr_write(csr_uart_rxtx, (uint8_t)msg[i]);
            return 0;
        }
        uint8_t *ip = ram_ptr(pc, 4);
        if (!ip || (pc & 3)) {
            trap(1, pc);
            continue;
        }
        uint32_t i;
        memcpy(&i, ip, 4);
        now += 1;
        icache_fetch(pc);
        instret++;
        const unsigned rd = (i >> 7) & 31, rs1 = (i >> 15) & 31, rs2 = (i >> 20) & 31,
                       f3 = (i >> 12) & 7, f7 = i >> 25;
        uint32_t next = pc + 4;
        int jumped = 0;
        switch (i & 0x7F) {
        case 0x37: set_rd(rd, i & 0xFFFFF000u, 0); break; /* LUI */
        case 0x17: set_rd(rd, pc + (i & 0xFFFFF000u), 0); break; /* AUIPC */
        case 0x6F: /* JAL: predicted in decode */
            set_rd(rd, next, 0);
            next = pc + imm_j(i);
            jumped = 1;
            now += T_JAL;
            break;
        case 0x67: { /* JALR: resolved in execute */
            wait_for(rs1);
            uint32_t t = (x[rs1] + imm_i(i)) & ~1u;
            set_rd(rd, next, 0);
            next = t;
            jumped = 1;
            now += T_JALR;
            break;
        }
        case 0x63: { /* branches: backward predicted taken */
            wait_for(rs1);
            wait_for(rs2);
            uint32_t a = x[rs1], b = x[rs2];
            int taken;
            switch (f3) {
            case 0: taken = a == b; break;
            case 1: taken = a != b; break;
            case 4: taken = (int32_t)a < (int32_t)b; break;
            case 5: taken = (int32_t)a >= (int32_t)b; break;
            case 6: taken = a < b; break;
            case 7: taken = a >= b; break;
            default: trap(2, i); continue;
            }
            int32_t off = imm_b(i);
            int predicted = off < 0;
            if (taken) next = pc + off;
            jumped = taken;
            now += branch_cost(taken, predicted);
            break;
        }
        case 0x03: { /* loads */
            wait_for(rs1);
            uint32_t a = x[rs1] + imm_i(i), v;
            unsigned size = (f3 & 3) == 0 ? 1 : (f3 & 3) == 1 ? 2 : 4;
            if ((f3 & 3) == 3 || f3 > 5) { trap(2, i); continue; }
            if (a & (size - 1)) { trap(4, a); continue; }
            store_load_hazard(a);
            if (!load(a, size, &v)) { trap(5, a); continue; }
            if (f3 == 0) v = (uint32_t)(int32_t)(int8_t)v;
            else if (f3 == 1) v = (uint32_t)(int32_t)(int16_t)v;
            load_issued();
            set_rd(rd, v, LATE_LOAD);
            break;
        }
        case 0x23: { /* stores */
            wait_for(rs1);
            wait_for(rs2);
            uint32_t a = x[rs1] + imm_s(i);
            unsigned size = f3 == 0 ? 1 : f3 == 1 ? 2 : 4;
            if (f3 > 2) { trap(2, i); continue; }
            if (a & (size - 1)) { trap(6, a); continue; }
            if (!store(a, size, x[rs2])) { trap(7, a); continue; }
            store_issued(a);
            break;
        }
        case 0x13: { /* OP-IMM */
            wait_for(rs1);
            uint32_t a = x[rs1], v;
            int32_t imm = imm_i(i);
            unsigned late = 0;
            switch (f3) {
            case 0: v = a + imm; break;
            case 2: v = (int32_t)a < imm; break;
            case 3: v = a < (uint32_t)imm; break;
            case 4: v = a ^ imm; break;
            case 6: v = a | imm; break;
            case 7: v = a & imm; break;
            case 1: v = a << (imm & 31); late = LATE_SHIFT; break;
            default: v = (f7 & 0x20) ? (uint32_t)((int32_t)a >> (imm & 31)) : a >> (imm & 31);
                     late = LATE_SHIFT; break;
            }
            set_rd(rd, v, late);
            break;
        }
        case 0x33: { /* OP */
            wait_for(rs1);
            wait_for(rs2);
            uint32_t a = x[rs1], b = x[rs2], v;
            unsigned late = 0;
            if (f7 == 1) {
                int64_t sa = (int32_t)a, sb = (int32_t)b;
                switch (f3) {
                case 0: v = a * b; late = LATE_MUL; break;
                case 1: v = (uint32_t)((sa * sb) >> 32); late = LATE_MUL; break;
                case 2: v = (uint32_t)((sa * (int64_t)(uint64_t)b) >> 32); late = LATE_MUL; break;
                case 3: v = (uint32_t)(((uint64_t)a * b) >> 32); late = LATE_MUL; break;
                case 4: v = b == 0 ? ~0u : (a == 0x80000000u && b == ~0u) ? a
                          : (uint32_t)((int32_t)a / (int32_t)b); now += T_DIV; late = LATE_DIV; break;
                case 5: v = b == 0 ? ~0u : a / b; now += T_DIV; late = LATE_DIV; break;
                case 6: v = b == 0 ? a : (a == 0x80000000u && b == ~0u) ? 0
                          : (uint32_t)((int32_t)a % (int32_t)b); now += T_DIV; late = LATE_DIV; break;
                default: v = b == 0 ? a : a % b; now += T_DIV; late = LATE_DIV; break;
                }
            } else {
                switch (f3) {
                case 0: v = (f7 & 0x20) ? a - b : a + b; break;
                case 1: v = a << (b & 31); late = LATE_SHIFT; break;
                case 2: v = (int32_t)a < (int32_t)b; break;
                case 3: v = a < b; break;
                case 4: v = a ^ b; break;
                case 5: v = (f7 & 0x20) ? (uint32_t)((int32_t)a >> (b & 31)) : a >> (b & 31);
                        late = LATE_SHIFT; break;
                case 6: v = a | b; break;
                default: v = a & b; break;
                }
            }
            set_rd(rd, v, late);
            break;
        }
        case 0x0B: { /* custom-0: the CFU */
            if (!cfu_enabled_bit()) { trap(2, i); continue; }
            wait_for(rs1);
            wait_for(rs2);
            cfu_wait_behind_memory();
            if (redirected) now += T_CFU_AFTER_REDIRECT;
            uint32_t v = cfu_execute(f3, f7, x[rs1], x[rs2]);
            set_rd(rd, v, LATE_CFU);
            break;
        }
        case 0x0F: break; /* FENCE, FENCE.I */
        case 0x73: { /* SYSTEM */
            if (f3 == 0) {
                if (i == 0x30200073u) { /* MRET */
                    next = csr[CSR_MEPC];
                    now += T_JALR;
                } else if (i == 0x10500073u) { /* WFI */
                } else {
                    trap(i == 0x00100073u ? 3 : 11, 0); /* EBREAK / ECALL */
                    continue;
                }
                break;
            }
            unsigned n = i >> 20;
            uint32_t src = (f3 & 4) ? rs1 : (wait_for(rs1), x[rs1]);
            /* it waits for the instructions ahead to leave the pipeline: after a jump the
             * bubble behind it has already gone (timebench csr_read) */
            now += redirected ? T_CSR - 1 : T_CSR;
            uint32_t old = csr_get(n);
            switch (f3 & 3) {
            case 1: csr[n] = src; break;
            case 2: if (rs1) csr[n] = old | src; break;
            case 3: if (rs1) csr[n] = old & ~src; break;
            default: trap(2, i); continue;
            }
            set_rd(rd, old, 0);
            break;
        }
        default:
            trap(2, i);
            continue;
        }
        redirected = jumped;
        pc = next;
    }
}

static long parse_num(const char *s) { return strtol(s, NULL, 0); }

static int load_file(const char *path, uint32_t offset) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "fastsim: cannot open %s\n", path); return 0; }
    size_t n = fread(main_ram + offset, 1, MAIN_SIZE - offset, f);
    fclose(f);
    (void)n;
    return 1;
}

int main(int argc, char **argv) {
    int stats = 0;
    main_ram = calloc(1, MAIN_SIZE);
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--load") && a + 2 < argc) {
            if (!load_file(argv[a + 2], (uint32_t)parse_num(argv[a + 1]))) return 2;
            a += 2;
        } else if (!strcmp(argv[a], "--csr") && a + 1 < argc) {
            char *eq = strchr(argv[++a], '=');
            if (!eq) continue;
            uint32_t addr = (uint32_t)strtoul(eq + 1, NULL, 0);
            *eq = 0;
            if (!strcmp(argv[a], "uart_rxtx")) csr_uart_rxtx = addr;
            else if (!strcmp(argv[a], "uart_txfull")) csr_uart_txfull = addr;
            else if (!strcmp(argv[a], "uart_rxempty")) csr_uart_rxempty = addr;
            else if (!strcmp(argv[a], "uart_txempty")) csr_uart_txempty = addr;
            else if (!strcmp(argv[a], "uart_ev_pending")) csr_uart_ev_pending = addr;
            else if (!strcmp(argv[a], "sim_finish_finish")) csr_sim_finish = addr;
        } else if (!strcmp(argv[a], "--memory") && a + 1 < argc) {
            const char *m = argv[++a];
            if (strcmp(m, "ddr3") && strcmp(m, "ideal")) {
                fprintf(stderr, "fastsim: no timing model for memory %s (ddr3, ideal)\n", m);
                return 2;
            }
            memory_ddr3 = !strcmp(m, "ddr3");
        } else if (!strcmp(argv[a], "--cycle-limit") && a + 1 < argc) {
            cycle_limit = strtoull(argv[++a], NULL, 0);
        } else if (!strcmp(argv[a], "--start-cycles") && a + 1 < argc) {
            start_cycles = strtoull(argv[++a], NULL, 0);
        } else if (!strcmp(argv[a], "--uart-tcp") && a + 1 < argc) {
            tcp_listen(atoi(argv[++a]));
        } else if (!strcmp(argv[a], "--stats")) {
            stats = 1;
        } else {
            fprintf(stderr, "fastsim: unknown argument %s\n", argv[a]);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    memory_init();
    cfu_init();
    pc = MAIN_BASE;  /* the BIOS of a preloaded SoC jumps straight here */
    /* CPU time, not wall time: the machine is shared, and speed is per core */
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    run();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    out_flush();
    if (stats) {
        double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        fprintf(stderr, "fastsim: %" PRIu64 " cycles, %" PRIu64 " instructions, %.3f s, "
                "%.1f M cycles/s\n", now, instret, s, now / s / 1e6);
    }
    return 0;
}
