/* The MLPerf Tiny (EEMBC ULPMark-ML) serial protocol, device side: our implementation of what
 * the benchmark runner expects (see docs/mlperf.md).
 *
 * The host sends commands terminated by '%'; words are separated by spaces (tabs, CR and LF
 * count as spaces here, so a terminal works too). Every command ends with "m-ready\r\n";
 * errors are "e-[message]\r\n" lines before it:
 *
 *   name              m-name-dut-[cfu-bench]
 *   profile           m-profile-[ULPMark for tinyML Firmware V0.0.1]  m-model-[kws01]
 *   help              the command list
 *   timestamp         m-lap-us-<microseconds>
 *   db load N         m-[Expecting N bytes]           start a new input of N bytes
 *   db HEX...         m-load-done once N bytes came   two hex digits per byte
 *   db print [N] [O]  m-buffer-xx-xx-... 8 per line
 *   infer N [W]       m-warmup-start-W m-warmup-done m-infer-start-N m-lap-us-T0
 *                     (N timed inferences) m-lap-us-T1 m-infer-done m-results-[...]
 *   results           m-results-[...] of the last inference
 *   exit              (cfu-bench) ends the simulation; on a board, resets into the BIOS
 */
#ifndef CFUB_MLPERF_EE_PROTOCOL_H
#define CFUB_MLPERF_EE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define EE_CMD_SIZE 80u       /* longest command; the runner's db lines have 66 characters */
#define EE_CMD_TERMINATOR '%'
#define EE_DB_MAX (64u * 1024u) /* largest input `db load` accepts */

/* Feed one received byte; runs the command when the terminator arrives. */
void ee_serial_byte(char c);
/* Runs one command line (without the terminator); modifies `line`. */
void ee_command(char *line);
/* What the device prints once at start-up, after th_initialize(). */
void ee_announce(void);

#endif
