#include <stdint.h>
#include <stdio.h>

#include <generated/csr.h>
#include <system.h>
#include <uart.h>

#include "cfu.h"
#include "platform.h"

void platform_exit(int status) {
    (void)status;
    /* Let the UART drain so the host sees every line before the simulation stops. */
    for (volatile int i = 0; i < 20000; i++) {
    }
#ifdef CSR_SIM_FINISH_BASE
    sim_finish_finish_write(1);
#elif defined(CSR_CTRL_RESET_ADDR)
    /* On a board, reset into the BIOS so the next run needs no button press, once the UART's
     * FIFO has gone out (10 ms: 16 bytes take 0.16 ms at 1 Mbaud). */
    busy_wait(10);
    ctrl_reset_write(1);
#endif
    for (;;) {
    }
}

/* crt0 sends every trap here. We never enable interrupts, so any trap is a firmware fault:
 * report it in the CFUB protocol and stop, rather than hang until the watchdog. */
void isr(void);
void isr(void) {
    uint32_t mcause, mepc, mtval;
    __asm__ volatile("csrr %0, mcause" : "=r"(mcause));
    __asm__ volatile("csrr %0, mepc" : "=r"(mepc));
    __asm__ volatile("csrr %0, mtval" : "=r"(mtval));
    printf("\nCFUB TRAP mcause=%lu mepc=0x%08lx mtval=0x%08lx%s\n", (unsigned long)mcause,
           (unsigned long)mepc, (unsigned long)mtval,
           mcause == 2 ? " (illegal instruction: is the CFU enabled in CSR 0xBC0?)" : "");
    platform_exit(1);
}

/* Console output, polled. LiteX's libc stdio writes through libbase's uart_write, which expects
 * the UART interrupt: with interrupts off (the BIOS jumps here with them off and we never
 * enable them) it queues every byte into a ring buffer nobody drains once the UART's hardware
 * FIFO is full, so on a board the output stops after a few lines and uart_sync() never
 * returns. The simulated UART takes a byte every cycle and never shows it. Defining picolibc's
 * standard streams here keeps LiteX's stdio.o (which defines only them) out of the link. */
void platform_putc(char c) {
#ifdef CSR_UART_BASE
    while (uart_txfull_read()) {
    }
    uart_rxtx_write((uint8_t)c);
#else
    (void)c;
#endif
}

static int console_putc(char c, FILE *file) {
    (void)file;
    platform_putc(c);
    if (c == '\n') platform_putc('\r'); /* as LiteX's console does */
    return (unsigned char)c;
}

int platform_getc(void) {
#ifdef CSR_UART_BASE
    while (uart_rxempty_read()) {
    }
    const int c = (int)(uint8_t)uart_rxtx_read();
    uart_ev_pending_write(UART_EV_RX);
    return c;
#else
    return EOF;
#endif
}

static int console_getc(FILE *file) {
    (void)file;
    return platform_getc();
}

static FILE console = FDEV_SETUP_STREAM(console_putc, console_getc, NULL, _FDEV_SETUP_RW);
FILE *const stdout = &console;
FILE *const stderr = &console;
FILE *const stdin = &console;

/* The runtime's platform interface (firmware/runtime/cfub.h). */
uint64_t cfub_cycles(void);
void cfub_puts(const char *s);

uint64_t cfub_cycles(void) {
    return read_mcycle();
}

/* main.c's debug modes look at the runtime's lines once printed (a no-op in other firmware). */
__attribute__((weak)) void platform_on_puts(const char *s);
__attribute__((weak)) void platform_on_puts(const char *s) {
    (void)s;
}

void cfub_puts(const char *s) {
    fputs(s, stdout);
    platform_on_puts(s);
}
