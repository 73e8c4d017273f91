/* What the firmware needs from the SoC it runs on. */
#ifndef CFU_BENCH_PLATFORM_H
#define CFU_BENCH_PLATFORM_H

/* Ends the simulation through the sim_finish CSR; on a board, resets into the BIOS. */
void platform_exit(int status) __attribute__((noreturn));

/* One byte to the UART, waiting while its FIFO is full (polled: interrupts stay off). */
void platform_putc(char c);
/* The next byte from the UART, waiting for it (polled). */
int platform_getc(void);

/* Sees every line the runtime prints, after it went out (weak no-op by default). */
void platform_on_puts(const char *s);

#endif
